import type { HttpTransportType } from './http-transport-type.js';

/**
 * The connection's side of a transport: where a transport hands what it
 * received and tells that it ended.
 */
export interface TransportReceiver {
  receive(data: Buffer): void;
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
 */
export interface Transport {
  readonly type: HttpTransportType;
  /** Whether the transport can carry binary data (SSE cannot). */
  readonly supportsBinary: boolean;
  /** Bytes accepted by the transport and not yet handed to the OS. */
  readonly bufferedAmount: number;
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
}
