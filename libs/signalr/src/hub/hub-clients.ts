import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { ClientProxy, SingleClientProxy } from './client-proxy.js';
import {
  AllClientsExceptProxy,
  AllClientsProxy,
  GroupExceptProxy,
  GroupProxy,
  MultipleConnectionsProxy,
  MultipleGroupsProxy,
  MultipleUsersProxy,
  SingleConnectionProxy,
  UserProxy,
} from './client-proxies.js';

/** Selects the connections of a hub to send to, from anywhere in the app. */
export class HubClients {
  /** Every connection of the hub. */
  readonly all: ClientProxy;

  constructor(
    protected readonly manager: HubLifetimeManager,
    /** Milliseconds `invoke()` waits for a client result; 0 for no limit. */
    protected readonly clientResultTimeout = 0,
  ) {
    this.all = new AllClientsProxy(manager);
  }

  /** Every connection except those listed. */
  allExcept(excludedConnectionIds: readonly string[]): ClientProxy {
    return new AllClientsExceptProxy(this.manager, excludedConnectionIds);
  }

  client(connectionId: string): SingleClientProxy {
    return new SingleConnectionProxy(this.manager, connectionId, this.clientResultTimeout);
  }

  clients(connectionIds: readonly string[]): ClientProxy {
    return new MultipleConnectionsProxy(this.manager, connectionIds);
  }

  group(groupName: string): ClientProxy {
    return new GroupProxy(this.manager, groupName);
  }

  groups(groupNames: readonly string[]): ClientProxy {
    return new MultipleGroupsProxy(this.manager, groupNames);
  }

  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientProxy {
    return new GroupExceptProxy(this.manager, groupName, excludedConnectionIds);
  }

  /** Every connection of the user, whatever node it is on. */
  user(userId: string): ClientProxy {
    return new UserProxy(this.manager, userId);
  }

  users(userIds: readonly string[]): ClientProxy {
    return new MultipleUsersProxy(this.manager, userIds);
  }
}
