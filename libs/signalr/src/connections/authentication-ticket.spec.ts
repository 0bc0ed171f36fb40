import { AuthenticationTicket, authenticationExpiry } from './authentication-ticket.js';

describe('authenticationExpiry', () => {
  it('reads a JWT-style exp claim, in seconds, as milliseconds', () => {
    expect(authenticationExpiry({ sub: 'a', exp: 1_700_000_000 })).toBe(1_700_000_000_000);
    expect(authenticationExpiry({ sub: 'a', exp: 1.5 })).toBe(1500);
  });

  it('prefers the expiry of a ticket, as a Date or milliseconds', () => {
    const ticket = new AuthenticationTicket({ exp: 1 }, new Date(5000));
    expect(authenticationExpiry(ticket.user, ticket.expiresAt)).toBe(5000);
    expect(authenticationExpiry({ exp: 1 }, 7000)).toBe(7000);
  });

  it('finds no expiry in principals without a numeric exp', () => {
    for (const user of [
      undefined,
      null,
      'alice',
      { sub: 'a' },
      { exp: '123' },
      { exp: Number.NaN },
      { exp: Infinity },
    ]) {
      expect(authenticationExpiry(user)).toBeUndefined();
    }
    expect(authenticationExpiry({ sub: 'a' }, new Date(Number.NaN))).toBeUndefined();
  });
});
