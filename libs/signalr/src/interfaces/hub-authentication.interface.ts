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
 * with 401. Return an `AuthenticationTicket` to give the principal with its
 * expiry (otherwise a JWT-style `exp` claim of the principal is its expiry).
 * Both forms of the token (header and query) reach it the same way, so a
 * client gets the same principal whichever it uses.
 */
export type HubAuthenticate = (context: HubAuthenticationContext) => unknown;

/** Picks the user id (`ctx.userIdentifier`) of a principal. */
export type HubUserIdProvider = (user: unknown) => string | undefined;
