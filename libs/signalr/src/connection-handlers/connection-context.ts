import type { ConnectionRequest } from '../connections/connection-request.js';
import type { HttpTransportType } from '../transports/http-transport-type.js';

/**
 * One plain connection of a connection handler (ASP.NET Core's
 * ConnectionContext): the application reads the client's messages from
 * `input` and writes with `send()`, with no hub protocol in between. Text
 * arrives as strings and binary data as Buffers, one item per WebSocket
 * message or POST body (the official client may join sends it queued while
 * another was in flight). Strings are sent as text, Buffers as binary.
 *
 * @publicApi
 */
export abstract class ConnectionContext {
  abstract readonly connectionId: string;
  /** The HTTP request that opened the connection (the upgrade, the event stream GET, the first poll). */
  abstract readonly request: ConnectionRequest;
  /** The authenticated principal; undefined when anonymous. */
  abstract readonly user: unknown;
  /** The user id of the principal; undefined when anonymous. */
  abstract readonly userIdentifier: string | undefined;
  /** The client's messages; the iteration ends when the client disconnects or the connection is closed. */
  abstract readonly input: AsyncIterable<string | Buffer>;
  /** The transport the connection uses. */
  abstract readonly transportType: HttpTransportType;
  /** Whether the connection has ended (the client went away, or it was closed). */
  abstract readonly closed: boolean;
  /**
   * Sends one message: a string as text, a Buffer as binary data. Resolves
   * at once unless the client reads slowly, then once the transport has room.
   * A client that lets more than `maximumPendingBytes` wait is closed with an
   * error. Nothing is sent once the connection has ended.
   */
  abstract send(data: string | Buffer): Promise<void>;
  /**
   * Closes the connection: a WebSocket with 1000, or 1011 with an error (as
   * ASP.NET Core); an event stream ends; a long-polling client's next poll
   * gets 204. `input` ends.
   */
  abstract close(error?: Error): void;
}
