import type { PlainConnectionHandler } from '../connection-handlers/plain-connection-handler.js';
import type { HttpConnectionDispatcher } from '../connections/http-connection-dispatcher.js';

/**
 * A connection handler as served at its path: what `SignalRAdapter.create()`
 * returns for a `@ConnectionHandler` provider.
 */
export class ConnectionHandlerEndpoint {
  constructor(
    readonly path: string,
    readonly handler: PlainConnectionHandler,
    readonly http: HttpConnectionDispatcher,
  ) {}

  /** Connections of this handler on this node. */
  get connectionCount(): number {
    return this.handler.connections.size;
  }

  close(): void {
    this.http.close();
  }
}
