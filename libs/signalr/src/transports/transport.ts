import type { ServerResponse } from 'node:http';
import type { HttpTransportType } from './http-transport-type.js';
import type { PostedInput } from './posted-input.js';

/**
 * The connection's side of a transport: where a transport hands what it
 * received and tells that it ended.
 */
export interface TransportReceiver {
  /**
   * Bytes from the client: a chunk of a stream of hub messages, or, for a
   * receiver that `receivesWholeMessages`, one WebSocket message or POST
   * body, `binary` unless it was text.
   */
  receive(data: Buffer, binary?: boolean): void;
  /** Takes each WebSocket message or POST body whole (connection handlers), not as a byte stream. */
  readonly receivesWholeMessages?: boolean;
  transportClosed(error?: Error): void;
  /**
   * The transport dropped without a close handshake (a WebSocket whose
   * network went away). True when the connection waits for the client's new
   * transport (stateful reconnect); otherwise it has ended, as by
   * `transportClosed()`.
   */
  transportDropped(): boolean;
  /**
   * The transport cannot carry on (its client reads too slowly, or sent a
   * request too large): close the connection with this error.
   */
  transportFailed(error: Error): void;
}

/**
 * One way of carrying a connection's bytes (WebSockets, Server-Sent Events,
 * Long Polling). A transport unit carries one or more whole hub messages.
 *
 * Every transport starts the same way: it is built from the request that
 * opened it, then `start(receiver, release)` hands it the connection.
 */
export interface Transport {
  readonly type: HttpTransportType;
  /** Whether the transport can carry binary data (SSE cannot). */
  readonly supportsBinary: boolean;
  /**
   * The transport itself shows the client that the connection lives (every
   * long poll is answered within the poll timeout): the hub sends no
   * keep-alive pings over it.
   */
  readonly inherentKeepAlive: boolean;
  /** Bytes accepted by the transport and not yet handed to the OS. */
  readonly bufferedAmount: number;
  /**
   * Starts delivering the client's data to `receiver`. `release` is called
   * once, when the connection no longer needs the transport's token (it has
   * ended, or it waited for a stateful reconnect that never came).
   */
  start(receiver: TransportReceiver, release: () => void): void;
  /** Sends one transport unit. */
  send(data: Buffer, binary: boolean): void;
  /** The transport ended because the client stopped coming back (long polling without a poll). */
  readonly timedOut?: boolean;
  /** Ends the transport; `error` marks an abnormal end (WebSocket code 1011). */
  close(error?: boolean): void;
  /**
   * Stops taking input from the client until `resume()`: back-pressure when
   * the hub cannot keep up (a full upload stream), so unread data waits in
   * the client and the network, not in the server's memory.
   */
  pause?(): void;
  resume?(): void;

  // What later requests under the same connection token find (the HTTP dispatcher asks these).

  /**
   * A request of this transport's type may join the connection now: a poll
   * (long polling), or a WebSocket taking over one that dropped or is
   * closing (stateful reconnect).
   */
  readonly joinable: boolean;
  /** Whether the connection still takes the client's input. */
  readonly receiving: boolean;
  /** The client's sends, by POST (Server-Sent Events and long polling); WebSocket clients send on the socket. */
  readonly input?: PostedInput;
  /** Long polling: one more poll. */
  poll?(response: ServerResponse): void;
  /** Ends the connection now, whether or not its client is there (long polling's DELETE, and shutdown). */
  terminate?(): void;
  /**
   * Stateful reconnect: resolves true once the connection waits for the
   * client's new transport, false if it ended instead.
   */
  whenReplaceable?(): Promise<boolean>;
}
