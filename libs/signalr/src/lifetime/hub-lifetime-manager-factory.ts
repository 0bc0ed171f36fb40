import type { Type } from '@nestjs/common';
import type { HubLifetimeManager } from './hub-lifetime-manager.js';

/**
 * The app a backplane serves, as its factory sees it. One object per app: a
 * backplane keys what its hubs share (connections to a broker) by it, and
 * releases it when the app shuts down.
 */
export interface BackplaneScope {
  /** Runs `hook` when the app shuts down, after its hubs have closed. */
  onShutdown(hook: () => Promise<void> | void): void;
}

/** Makes the lifetime manager of one hub of an app (`SignalRModule.forRoot({ backplane })`). */
export type HubLifetimeManagerFactory = (hub: Type, scope: BackplaneScope) => HubLifetimeManager;
