import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { ClientMethodWireNames } from './client-methods.js';
import { GroupManager } from './group-manager.js';
import { HubClients } from './hub-clients.js';

/**
 * A hub's clients and groups for code outside the hub (ASP.NET Core's
 * IHubContext<THub, T>). Inject it with `@InjectHubContext(MyHub)`; declared
 * as `HubContext<ChatHub, ChatClient>`, its proxies are typed by the client
 * interface (`clients.all.receiveMessage(user, text)`).
 */
// THub only names the hub the context belongs to, as in ASP.NET Core.
// oxlint-disable-next-line no-unused-vars
export class HubContext<THub = unknown, TClient = unknown> {
  readonly clients: HubClients<TClient>;
  readonly groups: GroupManager;

  constructor(
    readonly lifetimeManager: HubLifetimeManager,
    /** Milliseconds `clients.client(id).invoke()` waits for a result; 0 for no limit. */
    clientResultTimeout = 0,
    /** Wire names of typed client methods that differ from the default. */
    clientMethodNames?: ClientMethodWireNames,
  ) {
    this.clients = new HubClients<TClient>(lifetimeManager, clientResultTimeout, clientMethodNames);
    this.groups = new GroupManager(lifetimeManager);
  }
}
