import type { ConnectionRequest } from '../connections/connection-request.js';
import type { HttpTransportType } from '../transports/http-transport-type.js';
import type { GroupManager } from './group-manager.js';
import type { HubCallerClients } from './hub-caller-clients.js';

/**
 * The connection a hub method runs for (ASP.NET Core's HubCallerContext).
 * Get it with `@HubCaller()`; hub lifecycle hooks receive it too.
 * `TClient`, the interface of the methods the hub's clients implement, types
 * `clients`: `@HubCaller() ctx: HubCallerContext<ChatClient>` then
 * `ctx.clients.all.receiveMessage(user, text)`.
 */
export abstract class HubCallerContext<TClient = unknown> {
  abstract readonly connectionId: string;
  /** The user id of the connection's principal; undefined when anonymous. */
  abstract readonly userIdentifier: string | undefined;
  /** The transport the connection uses (ASP.NET Core's IHttpTransportFeature). */
  abstract readonly transportType: HttpTransportType;
  /** The authenticated principal, as the authentication step produced it. */
  abstract readonly user: unknown;
  /**
   * The HTTP request that opened the connection (the WebSocket upgrade, the
   * Server-Sent Events GET, the first long poll): headers, cookies, query,
   * remote address, and what the app's middleware attached.
   */
  abstract readonly request: ConnectionRequest;
  /** Values kept for as long as the connection lives. */
  abstract readonly items: Map<unknown, unknown>;
  abstract readonly clients: HubCallerClients<TClient>;
  abstract readonly groups: GroupManager;
  /** Closes the connection. */
  abstract abort(): void;
}
