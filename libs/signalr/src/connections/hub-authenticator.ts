import type { IncomingMessage } from 'node:http';
import type { HubAuthenticate, HubUserIdProvider } from '../interfaces/hub-authentication.interface.js';
import { readAccessToken } from './http-responses.js';

export type AuthenticationResult = { ok: true; user: unknown } | { ok: false };

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
    if (this.authenticate) {
      try {
        user = await this.authenticate({ token: readAccessToken(request, query), request });
      } catch {
        return { ok: false };
      }
    }
    if (this.requireAuthentication && (user === undefined || user === null)) return { ok: false };
    return { ok: true, user: user ?? undefined };
  }
}
