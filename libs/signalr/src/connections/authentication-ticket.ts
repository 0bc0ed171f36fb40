/**
 * What `authenticate` may return instead of a bare principal, to say when
 * the authentication expires (ASP.NET Core's AuthenticationTicket and its
 * `ExpiresUtc`). With the hub option `closeOnAuthenticationExpiration`, the
 * connection is closed at that time.
 *
 * @example
 * authenticate: ({ token }) => {
 *   const session = sessions.find(token);
 *   return session && new AuthenticationTicket(session.user, session.expiresAt);
 * }
 *
 * @publicApi
 */
export class AuthenticationTicket<TUser = unknown> {
  constructor(
    readonly user: TUser,
    /** A Date, or milliseconds since the epoch. */
    readonly expiresAt?: Date | number,
  ) {}
}

/**
 * When an authentication expires, in milliseconds since the epoch: the
 * ticket's `expiresAt`, else a JWT-style `exp` claim of the principal
 * (seconds since the epoch, as `jsonwebtoken` and `@nestjs/jwt` give it).
 */
export function authenticationExpiry(user: unknown, expiresAt?: Date | number): number | undefined {
  if (expiresAt !== undefined) {
    const ms = expiresAt instanceof Date ? expiresAt.getTime() : expiresAt;
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof user !== 'object' || user === null) return undefined;
  const exp = (user as { exp?: unknown }).exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
