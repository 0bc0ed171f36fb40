import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import type { HubMetadata } from '../decorators/hub.decorator.js';
import { resolveHubOptions } from '../hub/default-hub-options.js';
import { HubContext } from '../hub/hub-context.js';
import type { SignalRModuleOptions } from '../interfaces/signalr-module-options.interface.js';
import { DefaultHubLifetimeManager } from '../lifetime/default-hub-lifetime-manager.js';
import type { BackplaneScope } from '../lifetime/hub-lifetime-manager-factory.js';
import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import { HUB_METADATA, SIGNALR_MODULE_OPTIONS } from '../signalr.constants.js';
import type { HubEndpoint } from './hub-endpoint.js';

/**
 * The app's hubs: one lifetime manager and one HubContext per hub class,
 * shared by the adapter (which serves the hub) and by the providers that
 * inject its context. It is also the scope a backplane shares its
 * connections in, released at shutdown (after the hubs have closed).
 */
@Injectable()
export class HubRegistry implements BackplaneScope, OnModuleInit, OnApplicationShutdown {
  private readonly contexts = new Map<Type, HubContext>();
  /** The hubs served now (what the admin panel shows). */
  readonly endpoints = new Set<HubEndpoint>();
  private shutdownHooks: (() => Promise<void> | void)[] = [];
  private initHooks: (() => void)[] = [];

  constructor(@Inject(SIGNALR_MODULE_OPTIONS) readonly options: SignalRModuleOptions) {}

  getHubContext(hub: Type): HubContext {
    let context = this.contexts.get(hub);
    if (!context) {
      const lifetimeManager: HubLifetimeManager =
        this.options.backplane?.(hub, this) ?? new DefaultHubLifetimeManager();
      const metadata: HubMetadata | undefined = Reflect.getMetadata(HUB_METADATA, hub);
      const { clientResultTimeout, clientMethodNames } = resolveHubOptions(this.options, metadata?.options);
      this.contexts.set(hub, (context = new HubContext(lifetimeManager, clientResultTimeout, clientMethodNames)));
    }
    return context;
  }

  getLifetimeManager(hub: Type): HubLifetimeManager {
    return this.getHubContext(hub).lifetimeManager;
  }

  /**
   * Runs `hook` when Nest initializes the modules: after it has registered the
   * app's middleware and routes, before its not-found handler.
   */
  onModulesInitialized(hook: () => void): void {
    this.initHooks.push(hook);
  }

  onModuleInit(): void {
    const hooks = this.initHooks;
    this.initHooks = [];
    for (const hook of hooks) hook();
  }

  onShutdown(hook: () => Promise<void> | void): void {
    this.shutdownHooks.push(hook);
  }

  async onApplicationShutdown(): Promise<void> {
    const hooks = this.shutdownHooks;
    this.shutdownHooks = [];
    const results = await Promise.allSettled(hooks.map((hook) => hook()));
    for (const result of results) {
      if (result.status === 'rejected') {
        new Logger(HubRegistry.name).error('A backplane failed to shut down.', (result.reason as Error)?.stack);
      }
    }
  }
}
