import type { IncomingMessage } from 'node:http';
import type { HubAuthenticate, HubUserIdProvider } from '../interfaces/hub-authentication.interface.js';
import { AuthenticationTicket, authenticationExpiry } from './authentication-ticket.js';
import { readAccessToken } from './http-responses.js';

export type AuthenticationResult =
  | {
      ok: true;
      user: unknown;
      /** The principal's user id (`userIdProvider`), if it has one. */
      userId: string | undefined;
      /** When the authentication expires (ms since the epoch), if it does. */
      expiresAt?: number;
    }
  | { ok: false };

/** The principal's `sub` claim, else its `id` (ASP.NET Core uses the NameIdentifier claim). */
export const defaultUserIdProvider: HubUserIdProvider = (user) => {
  if (typeof user !== 'object' || user === null) return undefined;
  const { sub, id } = user as { sub?: unknown; id?: unknown };
  const value = sub ?? id;
  return value === undefined || value === null ? undefined : String(value);
};

/**
 * Authenticates the requests of a hub, before any hub code runs: a rejected
 * token, or an anonymous client on a hub that requires authentication, gets
 * 401. A throwing `userIdProvider` is a fault of the app, not of the client:
 * it rejects, and the request gets 500 before anything is set up for it.
 */
export class HubAuthenticator {
  constructor(
    private readonly authenticate: HubAuthenticate | undefined,
    /** Every request of a connection is authenticated, not only the one that starts it. */
    readonly required: boolean,
    private readonly userIdProvider: HubUserIdProvider = defaultUserIdProvider,
  ) {}

  async check(request: IncomingMessage, query: URLSearchParams): Promise<AuthenticationResult> {
    let user: unknown;
    let ticketExpiry: Date | number | undefined;
    if (this.authenticate) {
      try {
        user = await this.authenticate({ token: readAccessToken(request, query), request });
      } catch {
        return { ok: false };
      }
      if (user instanceof AuthenticationTicket) {
        ticketExpiry = user.expiresAt;
        user = user.user;
      }
    }
    if (user === undefined || user === null) {
      return this.required ? { ok: false } : { ok: true, user: undefined, userId: undefined };
    }
    const userId = this.userIdProvider(user);
    return { ok: true, user, userId, expiresAt: authenticationExpiry(user, ticketExpiry) };
  }
}

/** What a connection was authenticated as: later requests must be the same user. */
export interface ConnectionOwner {
  readonly user: unknown;
  readonly userIdentifier: string | undefined;
}

/**
 * Whether a request authenticated as `auth` may act for a connection owned
 * by `owner`: 401 when it is anonymous and the connection is not, 403 when
 * it is another user (ASP.NET Core would switch the connection's user).
 */
export function ownerRefusal(auth: Extract<AuthenticationResult, { ok: true }>, owner: ConnectionOwner) {
  if (auth.user === undefined) return owner.user === undefined ? undefined : 401;
  if (owner.user === undefined || auth.userId !== owner.userIdentifier) return 403;
  return undefined;
}
