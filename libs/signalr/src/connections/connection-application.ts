import type { ResolvedHubOptions } from '../interfaces/hub-options.interface.js';
import type { Transport, TransportReceiver } from '../transports/transport.js';
import type { ConnectionRequest } from './connection-request.js';
import type { Heartbeat } from './heartbeat.js';
import type { ConnectionOwner } from './hub-authenticator.js';

/** What a transport request hands the application when it opens a connection. */
export interface ConnectionSetup {
  readonly connectionId: string;
  readonly transport: Transport;
  /** The transport request that opened the connection. */
  readonly request: ConnectionRequest;
  /** The authenticated principal, if any. */
  readonly user: unknown;
  readonly userIdentifier: string | undefined;
  /** When the authentication of the connection expires (ms since the epoch), if it does. */
  readonly authenticationExpiresAt?: number;
  /** Negotiate agreed to stateful reconnect (hubs only). */
  readonly statefulReconnectAllowed?: boolean;
}

/** One connection as the connection layer sees it, whatever application it belongs to. */
export interface ApplicationConnection extends TransportReceiver, ConnectionOwner {
  readonly transport: Transport;
  /** Stateful reconnect: a new transport takes over (only connections whose transport can drop and wait). */
  reconnect?(transport: Transport, authenticationExpiresAt: number | undefined): void;
}

/**
 * What the connection layer (negotiate, the three transports, limits,
 * authentication, CORS) serves at a path: a hub (ASP.NET Core's
 * HubConnectionHandler) or a connection handler (`@ConnectionHandler`).
 */
export interface ConnectionApplication {
  readonly options: ResolvedHubOptions;
  readonly heartbeat: Heartbeat;
  /** Open connections (the connection limit counts them). */
  readonly connections: { readonly size: number };
  openConnection(setup: ConnectionSetup): ApplicationConnection;
  /** Server shutdown: closes every connection. */
  close(): void;
}
