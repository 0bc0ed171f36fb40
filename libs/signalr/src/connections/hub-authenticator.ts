import type { IncomingMessage } from 'node:http';
import type { HubAuthenticate, HubUserIdProvider } from '../interfaces/hub-authentication.interface.js';
import { AuthenticationTicket, authenticationExpiry } from './authentication-ticket.js';
import { readAccessToken } from './http-responses.js';

export type AuthenticationResult =
  | {
      ok: true;
      user: unknown;
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
 * Authenticates every request that opens or negotiates a connection, before
 * any hub code runs: a rejected token, or an anonymous client on a hub that
 * requires authentication, gets 401.
 */
export class HubAuthenticator {
  constructor(
    private readonly authenticate: HubAuthenticate | undefined,
    private readonly requireAuthentication: boolean,
    readonly userIdProvider: HubUserIdProvider = defaultUserIdProvider,
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
      return this.requireAuthentication ? { ok: false } : { ok: true, user: undefined };
    }
    return { ok: true, user, expiresAt: authenticationExpiry(user, ticketExpiry) };
  }
}
