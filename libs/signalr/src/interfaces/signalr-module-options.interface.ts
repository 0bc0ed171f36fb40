import type { HubLifetimeManagerFactory } from '../lifetime/hub-lifetime-manager-factory.js';
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
   * Makes the lifetime manager of each hub: a backplane for scale-out, such as
   * `redisBackplane({ url })` from `nest-signalr/redis`. Default: the
   * in-memory manager (one node).
   */
  backplane?: HubLifetimeManagerFactory;
  /**
   * Match hub paths exactly, case included. Default false: as in ASP.NET Core's
   * routing, `/CHATHUB` and `/chathub/negotiate` reach the hub at `/chatHub`.
   */
  caseSensitivePaths?: boolean;
  /**
   * Route hub requests (negotiate, event streams, polls, sends, deletes)
   * through the app's framework, so that its middleware and CORS set-up apply
   * to them as to any route. Default true. `false` serves them before the
   * framework sees them: faster (no middleware runs), but `app.use()`,
   * `app.enableCors()` and middleware of modules do not apply; use the hub's
   * `cors` option then.
   */
  appMiddleware?: boolean;
}
