import type { HttpConnectionDispatcher } from '../connections/http-connection-dispatcher.js';
import type { GroupManager } from '../hub/group-manager.js';
import type { HubClients } from '../hub/hub-clients.js';
import type { HubConnectionHandler } from '../hub/hub-connection-handler.js';
import type { HubContext } from '../hub/hub-context.js';

/**
 * A hub as served at its path: what `SignalRAdapter.create()` returns, and so
 * what `@WebSocketServer()` injects into a hub.
 */
export class HubEndpoint {
  constructor(
    readonly path: string,
    readonly context: HubContext,
    readonly handler: HubConnectionHandler,
    readonly http: HttpConnectionDispatcher,
  ) {}

  get clients(): HubClients {
    return this.context.clients;
  }

  get groups(): GroupManager {
    return this.context.groups;
  }

  /** Connections of this hub on this node. */
  get connectionCount(): number {
    return this.handler.connections.size;
  }

  close(): void {
    this.http.close();
    this.handler.diagnostics.dispose();
  }
}
