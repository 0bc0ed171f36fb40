import type { Type } from '@nestjs/common';
import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import type { HubAuthenticate, HubUserIdProvider } from './hub-authentication.interface.js';
import type { HubOptions } from './hub-options.interface.js';

/** Options of `SignalRModule.forRoot()`: defaults for every hub, and app-wide services. */
export interface SignalRModuleOptions extends HubOptions {
  /** Turns a request's access token into the connection's principal. */
  authenticate?: HubAuthenticate;
  /** Picks `userIdentifier` from the principal. Default: its `sub`, else its `id`. */
  userIdProvider?: HubUserIdProvider;
  /** Hub protocols beyond the built-in `json` and `messagepack`. */
  protocols?: HubProtocol[];
  /**
   * Makes the lifetime manager of each hub: a backplane for scale-out.
   * Default: the in-memory manager.
   */
  backplane?: (hub: Type) => HubLifetimeManager;
}
