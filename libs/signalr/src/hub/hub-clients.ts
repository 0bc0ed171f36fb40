import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { ClientMethodWireNames } from './client-methods.js';
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
import type { ClientProxyOf, SingleClientProxyOf } from './typed-client-proxy.js';

/**
 * Selects the connections of a hub to send to, from anywhere in the app.
 * `TClient`, the interface of the methods the hub's clients implement, types
 * the proxies: `clients.all.receiveMessage(user, text)`.
 */
export class HubClients<TClient = unknown> {
  /** Every connection of the hub. */
  readonly all: ClientProxyOf<TClient>;

  constructor(
    protected readonly manager: HubLifetimeManager,
    /** Milliseconds `invoke()` waits for a client result; 0 for no limit. */
    protected readonly clientResultTimeout = 0,
    /** Wire names of typed client methods that differ from the default. */
    protected readonly clientMethodNames?: ClientMethodWireNames,
  ) {
    this.all = new AllClientsProxy(manager, clientMethodNames) as ClientProxyOf<TClient>;
  }

  /** Every connection except those listed. */
  allExcept(excludedConnectionIds: readonly string[]): ClientProxyOf<TClient> {
    return new AllClientsExceptProxy(
      this.manager,
      excludedConnectionIds,
      this.clientMethodNames,
    ) as ClientProxyOf<TClient>;
  }

  client(connectionId: string): SingleClientProxyOf<TClient> {
    return new SingleConnectionProxy(
      this.manager,
      connectionId,
      this.clientResultTimeout,
      undefined,
      this.clientMethodNames,
    ) as unknown as SingleClientProxyOf<TClient>;
  }

  clients(connectionIds: readonly string[]): ClientProxyOf<TClient> {
    return new MultipleConnectionsProxy(this.manager, connectionIds, this.clientMethodNames) as ClientProxyOf<TClient>;
  }

  group(groupName: string): ClientProxyOf<TClient> {
    return new GroupProxy(this.manager, groupName, this.clientMethodNames) as ClientProxyOf<TClient>;
  }

  groups(groupNames: readonly string[]): ClientProxyOf<TClient> {
    return new MultipleGroupsProxy(this.manager, groupNames, this.clientMethodNames) as ClientProxyOf<TClient>;
  }

  groupExcept(groupName: string, excludedConnectionIds: readonly string[]): ClientProxyOf<TClient> {
    return new GroupExceptProxy(
      this.manager,
      groupName,
      excludedConnectionIds,
      this.clientMethodNames,
    ) as ClientProxyOf<TClient>;
  }

  /** Every connection of the user, whatever node it is on. */
  user(userId: string): ClientProxyOf<TClient> {
    return new UserProxy(this.manager, userId, this.clientMethodNames) as ClientProxyOf<TClient>;
  }

  users(userIds: readonly string[]): ClientProxyOf<TClient> {
    return new MultipleUsersProxy(this.manager, userIds, this.clientMethodNames) as ClientProxyOf<TClient>;
  }
}
