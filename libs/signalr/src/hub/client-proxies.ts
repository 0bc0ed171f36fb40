import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { ClientMethodWireNames } from './client-methods.js';
import { ClientProxy, SingleClientProxy } from './client-proxy.js';
import { ClientResultTimeoutError } from './client-result-timeout.error.js';

// One small proxy class per selector: each holds only what it needs to call
// the lifetime manager, and the hot ones (`all`, `caller`) are cached.

export class AllClientsProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendAll(method, args);
  }
}

export class AllClientsExceptProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly excludedConnectionIds: readonly string[],
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendAllExcept(method, args, this.excludedConnectionIds);
  }
}

export class SingleConnectionProxy extends SingleClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly connectionId: string,
    /** Milliseconds to wait for a client result; 0 for no limit. */
    private readonly clientResultTimeout = 0,
    /** Runs before a client result is awaited (frees the calling method's slot). */
    private readonly beforeInvoke?: () => void,
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendConnection(this.connectionId, method, args);
  }
  protected invokeArguments<T>(method: string, args: unknown[]): Promise<T> {
    this.beforeInvoke?.();
    const timeout = this.clientResultTimeout;
    if (timeout <= 0) return this.manager.invokeConnection<T>(this.connectionId, method, args);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new ClientResultTimeoutError(this.connectionId, method, timeout)),
      timeout,
    );
    timer.unref();
    return this.manager
      .invokeConnection<T>(this.connectionId, method, args, controller.signal)
      .finally(() => clearTimeout(timer));
  }
}

export class MultipleConnectionsProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly connectionIds: readonly string[],
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendConnections(this.connectionIds, method, args);
  }
}

export class GroupProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly groupName: string,
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendGroup(this.groupName, method, args);
  }
}

export class MultipleGroupsProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly groupNames: readonly string[],
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendGroups(this.groupNames, method, args);
  }
}

export class GroupExceptProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly groupName: string,
    private readonly excludedConnectionIds: readonly string[],
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendGroupExcept(this.groupName, method, args, this.excludedConnectionIds);
  }
}

export class UserProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly userId: string,
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendUser(this.userId, method, args);
  }
}

export class MultipleUsersProxy extends ClientProxy {
  constructor(
    private readonly manager: HubLifetimeManager,
    private readonly userIds: readonly string[],
    clientMethodNames?: ClientMethodWireNames,
  ) {
    super(clientMethodNames);
  }
  protected sendArguments(method: string, args: unknown[]): Promise<void> {
    return this.manager.sendUsers(this.userIds, method, args);
  }
}
