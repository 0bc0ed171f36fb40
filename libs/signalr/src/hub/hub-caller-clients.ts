import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { ClientProxy, SingleClientProxy } from './client-proxy.js';
import { SingleConnectionProxy } from './client-proxies.js';
import { HubClients } from './hub-clients.js';

/** The clients as seen from inside a hub method: adds the caller's own selectors. */
export class HubCallerClients extends HubClients {
  private callerProxy?: SingleClientProxy;

  constructor(
    manager: HubLifetimeManager,
    private readonly connectionId: string,
    clientResultTimeout = 0,
    /**
     * Frees the invoking method's slot while it awaits a client result, as
     * ASP.NET Core does, so that the client may call the hub meanwhile.
     */
    private readonly beforeClientResult?: () => void,
  ) {
    super(manager, clientResultTimeout);
  }

  /** The connection that invoked the hub method. */
  get caller(): SingleClientProxy {
    return (this.callerProxy ??= this.client(this.connectionId));
  }

  override client(connectionId: string): SingleClientProxy {
    return new SingleConnectionProxy(this.manager, connectionId, this.clientResultTimeout, this.beforeClientResult);
  }

  /** Every connection except the caller. */
  get others(): ClientProxy {
    return this.allExcept([this.connectionId]);
  }

  /** The group's connections except the caller. */
  othersInGroup(groupName: string): ClientProxy {
    return this.groupExcept(groupName, [this.connectionId]);
  }
}
