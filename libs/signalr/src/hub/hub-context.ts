import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import { GroupManager } from './group-manager.js';
import { HubClients } from './hub-clients.js';

/**
 * A hub's clients and groups for code outside the hub (ASP.NET Core's
 * IHubContext). Inject it with `@InjectHubContext(MyHub)`.
 */
export class HubContext {
  readonly clients: HubClients;
  readonly groups: GroupManager;

  constructor(
    readonly lifetimeManager: HubLifetimeManager,
    /** Milliseconds `clients.client(id).invoke()` waits for a result; 0 for no limit. */
    clientResultTimeout = 0,
  ) {
    this.clients = new HubClients(lifetimeManager, clientResultTimeout);
    this.groups = new GroupManager(lifetimeManager);
  }
}
