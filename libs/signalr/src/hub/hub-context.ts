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

  constructor(readonly lifetimeManager: HubLifetimeManager) {
    this.clients = new HubClients(lifetimeManager);
    this.groups = new GroupManager(lifetimeManager);
  }
}
