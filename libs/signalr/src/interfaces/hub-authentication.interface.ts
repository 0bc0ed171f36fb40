import type { IncomingMessage } from 'node:http';

/** What the authentication step sees of a request to a hub. */
export interface HubAuthenticationContext {
  /**
   * The client's access token: from `Authorization: Bearer …`, or from the
   * `access_token` query parameter that browsers use for WebSockets and SSE.
   */
  token: string | undefined;
  request: IncomingMessage;
}

/**
 * Turns a request into the connection's principal (`ctx.user`): return the
 * principal, or nothing for an anonymous client; throw to refuse the request
 * with 401.
 */
export type HubAuthenticate = (context: HubAuthenticationContext) => unknown;

/** Picks the user id (`ctx.userIdentifier`) of a principal. */
export type HubUserIdProvider = (user: unknown) => string | undefined;
