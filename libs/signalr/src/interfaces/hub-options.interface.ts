import type { HttpTransportType } from '../transports/http-transport-type.js';

/**
 * Options of a hub, with ASP.NET Core's names and defaults. Set them for all
 * hubs in `SignalRModule.forRoot()`, or for one hub in `@Hub(path, options)`.
 * Times are in milliseconds.
 */
export interface HubOptions {
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
  /** Invocations of one client that may run at once. Default 1. */
  maximumParallelInvocationsPerClient?: number;
  /** Transports clients may use, as flags. Default: all three. */
  transports?: HttpTransportType;
  /** Names of the hub protocols clients may choose (`json`, `messagepack`). Default: all. */
  supportedProtocols?: string[];
  /** How long a negotiated connection may wait for its transport. Default 15 000. */
  disconnectTimeout?: number;
  /** Refuse anonymous clients with 401 at negotiate and connect. Default false. */
  requireAuthentication?: boolean;
  /**
   * How long `invoke()` on a client waits for the client's result before it
   * rejects; `Infinity` waits until the client answers or disconnects (ASP.NET
   * Core has no such limit and relies on a cancellation token). Default 30 000.
   */
  clientResultTimeout?: number;
}

export type ResolvedHubOptions = Required<Omit<HubOptions, 'maximumReceiveMessageSize' | 'supportedProtocols'>> & {
  /** `Infinity` when unlimited. */
  maximumReceiveMessageSize: number;
  supportedProtocols?: string[];
};
