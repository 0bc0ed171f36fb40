import { Inject, Injectable, type Type } from '@nestjs/common';
import type { HubMetadata } from '../decorators/hub.decorator.js';
import { resolveHubOptions } from '../hub/default-hub-options.js';
import { HubContext } from '../hub/hub-context.js';
import type { SignalRModuleOptions } from '../interfaces/signalr-module-options.interface.js';
import { DefaultHubLifetimeManager } from '../lifetime/default-hub-lifetime-manager.js';
import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import { HUB_METADATA, SIGNALR_MODULE_OPTIONS } from '../signalr.constants.js';

/**
 * The app's hubs: one lifetime manager and one HubContext per hub class,
 * shared by the adapter (which serves the hub) and by the providers that
 * inject its context.
 */
@Injectable()
export class HubRegistry {
  private readonly contexts = new Map<Type, HubContext>();

  constructor(@Inject(SIGNALR_MODULE_OPTIONS) readonly options: SignalRModuleOptions) {}

  getHubContext(hub: Type): HubContext {
    let context = this.contexts.get(hub);
    if (!context) {
      const lifetimeManager: HubLifetimeManager = this.options.backplane?.(hub) ?? new DefaultHubLifetimeManager();
      const metadata: HubMetadata | undefined = Reflect.getMetadata(HUB_METADATA, hub);
      const { clientResultTimeout } = resolveHubOptions(this.options, metadata?.options);
      this.contexts.set(hub, (context = new HubContext(lifetimeManager, clientResultTimeout)));
    }
    return context;
  }

  getLifetimeManager(hub: Type): HubLifetimeManager {
    return this.getHubContext(hub).lifetimeManager;
  }
}
