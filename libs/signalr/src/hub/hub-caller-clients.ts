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
  ) {
    super(manager, clientResultTimeout);
  }

  /** The connection that invoked the hub method. */
  get caller(): SingleClientProxy {
    return (this.callerProxy ??= new SingleConnectionProxy(this.manager, this.connectionId, this.clientResultTimeout));
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
