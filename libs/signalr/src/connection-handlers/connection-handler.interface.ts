import type { ConnectionContext } from './connection-context.js';

/**
 * A `@ConnectionHandler` provider: `onConnected` runs for each connection
 * (ASP.NET Core's `ConnectionHandler.OnConnectedAsync`). When the promise it
 * returns settles, the connection is closed (with 1011 on a WebSocket if it
 * rejected).
 *
 * @publicApi
 */
export interface OnConnection {
  onConnected(connection: ConnectionContext): Promise<void> | void;
}
