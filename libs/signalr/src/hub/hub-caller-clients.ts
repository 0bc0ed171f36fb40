import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { ClientMethodWireNames } from './client-methods.js';
import { SingleConnectionProxy } from './client-proxies.js';
import { HubClients } from './hub-clients.js';
import type { ClientProxyOf, SingleClientProxyOf } from './typed-client-proxy.js';

/** The clients as seen from inside a hub method: adds the caller's own selectors. */
export class HubCallerClients<TClient = unknown> extends HubClients<TClient> {
  private callerProxy?: SingleClientProxyOf<TClient>;

  constructor(
    manager: HubLifetimeManager,
    private readonly connectionId: string,
    clientResultTimeout = 0,
    /**
     * Frees the invoking method's slot while it awaits a client result, as
     * ASP.NET Core does, so that the client may call the hub meanwhile.
     */
    private readonly beforeClientResult?: () => void,
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(manager, clientResultTimeout, clientMethodNames);
  }

  /** The connection that invoked the hub method. */
  get caller(): SingleClientProxyOf<TClient> {
    return (this.callerProxy ??= this.client(this.connectionId));
  }

  override client(connectionId: string): SingleClientProxyOf<TClient> {
    return new SingleConnectionProxy(
      this.manager,
      connectionId,
      this.clientResultTimeout,
      this.beforeClientResult,
      this.clientMethodNames,
    ) as unknown as SingleClientProxyOf<TClient>;
  }

  /** Every connection except the caller. */
  get others(): ClientProxyOf<TClient> {
    return this.allExcept([this.connectionId]);
  }

  /** The group's connections except the caller. */
  othersInGroup(groupName: string): ClientProxyOf<TClient> {
    return this.groupExcept(groupName, [this.connectionId]);
  }
}
