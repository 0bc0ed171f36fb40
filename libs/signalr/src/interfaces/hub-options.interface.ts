import type { ClientMethodWireNames } from '../hub/client-methods.js';
import type { HttpTransportType } from '../transports/http-transport-type.js';
import type { HubCorsOptions } from './hub-cors-options.interface.js';
import type { HubSecurityOptions } from './hub-security-options.interface.js';

/**
 * Options of a hub, with ASP.NET Core's names and defaults. Set them for all
 * hubs in `SignalRModule.forRoot()`, or for one hub in `@Hub(path, options)`.
 * Times are in milliseconds.
 */
export interface HubOptions extends HubSecurityOptions {
  /** Interval of the server's keep-alive pings. Default 15 000. */
  keepAliveInterval?: number;
  /** A client that sends nothing (not even a ping) for this long is closed. Default 30 000. */
  clientTimeoutInterval?: number;
  /** Time allowed for the client's handshake. Default 15 000. */
  handshakeTimeout?: number;
  /** Largest hub message a client may send, in bytes; `null` for no limit. Default 32 768. */
  maximumReceiveMessageSize?: number | null;
  /** Send exception details to clients. Default false. */
  enableDetailedErrors?: boolean;
  /** Invocations of one client that may run at once (streaming ones do not count). Default 1. */
  maximumParallelInvocationsPerClient?: number;
  /**
   * Items buffered per upload stream (client to server) before the server
   * stops reading the connection until the hub method catches up. Default 10.
   */
  streamBufferCapacity?: number;
  /**
   * How long `clients.caller.invoke()` / `clients.client(id).invoke()` wait
   * for the client's result before rejecting; 0 waits until the client
   * answers or disconnects (as ASP.NET Core). Default 0.
   */
  clientResultTimeout?: number;
  /** Transports clients may use, as flags. Default: all three. */
  transports?: HttpTransportType;
  /** Names of the hub protocols clients may choose (`json`, `messagepack`). Default: all. */
  supportedProtocols?: string[];
  /**
   * How long a negotiated connection may wait for its transport, a
   * long-polling connection for its next poll, and a stateful-reconnect
   * connection whose WebSocket dropped for the client's new one. Default 15 000.
   */
  disconnectTimeout?: number;
  /**
   * Let official clients that ask for it (`withStatefulReconnect()`) resume
   * a connection over a new WebSocket after a drop, with the same connection
   * id, groups, items and user, and nothing lost or repeated in either
   * direction (ASP.NET Core's `AllowStatefulReconnects`). WebSockets only.
   * Default false.
   */
  allowStatefulReconnects?: boolean;
  /**
   * Stateful reconnect: bytes of messages sent to one client that it has not
   * acknowledged yet (kept to be replayed after a drop). The client
   * acknowledges about once a second; a connection that would go beyond
   * this, say because its WebSocket is down for long while messages keep
   * coming, is closed with an error (ASP.NET Core makes the senders wait
   * instead). Server streams of `async *` methods wait for acknowledgements
   * once it is half full.
   * A single larger message is still accepted when nothing else waits.
   * Default 100 000.
   */
  statefulReconnectBufferSize?: number;
  /** Long polling: how long a poll waits for data before it returns empty. Default 90 000. */
  pollTimeout?: number;
  /**
   * Bytes that may wait for a Server-Sent Events or long-polling client that
   * reads too slowly; beyond that its connection is closed with an error (a
   * single larger message is still accepted when nothing else waits).
   * Default 1 048 576.
   */
  transportMaxBufferSize?: number;
  /** Cross-origin access for browser clients. Default: none (same origin only). */
  cors?: HubCorsOptions;
  /** Refuse anonymous clients with 401 at negotiate and connect. Default false. */
  requireAuthentication?: boolean;
  /**
   * Wire names of client methods (`clients.all.receiveMessage()`) that are
   * not their name with the first letter upper-cased. Set them with
   * `@Hub<ChatClient>(path, { clientMethodNames })`, where they are checked
   * against the client interface and `generate-client` reads them.
   */
  clientMethodNames?: Readonly<Record<string, string | undefined>>;
}

export type ResolvedHubOptions = Required<
  Omit<HubOptions, 'maximumReceiveMessageSize' | 'supportedProtocols' | 'cors' | 'clientMethodNames'>
> & {
  /** `Infinity` when unlimited. */
  maximumReceiveMessageSize: number;
  supportedProtocols?: string[];
  cors?: HubCorsOptions;
  clientMethodNames?: ClientMethodWireNames;
};
