import { type HubConnection, HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import request from 'supertest';
import { connectHub } from './support/hub-client.js';
import { httpTransportResponse, type RawResponse, upgradeResponse } from './support/raw-http.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { SecurityModule } from './fixtures/security.hub.js';

const UNAUTHORIZED: RawResponse = { status: 401, body: 'Unauthorized' };
const NEGOTIATE_UNAUTHORIZED = "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'";

/** How each transport opens a negotiated connection, as a raw request with the given headers and query. */
const connectRequests: [string, (url: string, headers?: Record<string, string>) => Promise<RawResponse>][] = [
  ['WebSockets', (url, headers) => upgradeResponse(url, headers)],
  ['ServerSentEvents', (url, headers) => httpTransportResponse(url, { Accept: 'text/event-stream', ...headers })],
  ['LongPolling', (url, headers) => httpTransportResponse(url, headers)],
];
const officialTransports = [
  HttpTransportType.WebSockets,
  HttpTransportType.ServerSentEvents,
  HttpTransportType.LongPolling,
];
const transportCases = officialTransports.map((transport) => [HttpTransportType[transport], transport] as const);

/**
 * How long the short-lived tokens live: they must outlive negotiate, a poll and a
 * handshake on a busy machine, and the tests wait for them to expire.
 */
const SHORT_LIFETIME = 1_500;

/** A token whose JWT-style `exp` claim is `ms` from now. */
const expiringIn = (id: string, ms: number) => `exp:${id}:${(Date.now() + ms) / 1000}`;

describe('authentication', () => {
  let server: RunningApp;
  let open: HubConnection[] = [];

  async function connect(path: string, accessToken?: string) {
    const connection = await connectHub(server.url + path, { accessToken });
    open.push(connection);
    return connection;
  }

  async function negotiate(path: string, token = 'user:negotiator'): Promise<string> {
    const { body } = await request(server.url)
      .post(`${path}/negotiate?negotiateVersion=1`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    return body.connectionToken;
  }

  beforeAll(async () => {
    server = await startApp(SecurityModule);
  });
  afterEach(async () => {
    await Promise.all(open.map((connection) => connection.stop()));
    open = [];
  });
  afterAll(() => server.close());

  describe('the token, from the Authorization header or the access_token query', () => {
    it('gives the same principal either way', async () => {
      const byHeader = await connect('/members', 'user:alice');
      const expected = { userIdentifier: 'alice', user: { sub: 'alice' } };
      expect(await byHeader.invoke('WhoAmI')).toEqual(expected);

      // The official client with the token in the URL: negotiate and connect both carry it in the query.
      const byQuery = await connect('/members?access_token=user%3Aalice');
      expect(await byQuery.invoke('WhoAmI')).toEqual(expected);

      // A browser-style WebSocket: negotiated with the header, connected with the query.
      const token = await negotiate('/members', 'user:alice');
      const raw = await RawHubSocket.connect(`${server.url}/members?id=${token}&access_token=user%3Aalice`);
      expect(await raw.invoke('1', 'WhoAmI')).toEqual({ type: 3, invocationId: '1', result: expected });
      raw.close();
      await raw.closed;

      // The official client over SSE sends the token in the query, over long polling in the header.
      for (const transport of [HttpTransportType.ServerSentEvents, HttpTransportType.LongPolling]) {
        const connection = await connectHub(`${server.url}/members`, { accessToken: 'user:alice', transport });
        open.push(connection);
        expect(await connection.invoke('WhoAmI')).toEqual(expected);
      }
    });

    it('reads the Bearer scheme case-insensitively', async () => {
      const raw = await RawHubSocket.connect(`${server.url}/members`, { Authorization: 'bearer user:bob' });
      expect(await raw.invoke('1', 'WhoAmI')).toMatchObject({ result: { userIdentifier: 'bob' } });
      raw.close();
      await raw.closed;
    });

    it('lets anonymous clients into a hub that does not require authentication, but not invalid tokens', async () => {
      const anonymous = await connect('/open');
      expect(await anonymous.invoke('WhoAmI')).toEqual({ userIdentifier: null, user: null });
      await expect(connect('/open', 'forged')).rejects.toThrow(NEGOTIATE_UNAUTHORIZED);
    });
  });

  // @HubAuthorize() on the class, and the requireAuthentication option, do the same.
  describe.each(['/members', '/required'])('a hub that requires authentication (%s)', (path) => {
    it.each([
      ['no token', undefined],
      ['an invalid token', 'forged'],
    ])('refuses negotiate with %s: 401', async (_name, token) => {
      const negotiation = request(server.url).post(`${path}/negotiate?negotiateVersion=1`);
      if (token) negotiation.set('Authorization', `Bearer ${token}`);
      expect((await negotiation.expect(401)).text).toBe('Unauthorized');
    });

    it.each([
      ['no token', undefined],
      ['an invalid token', 'forged'],
    ])('refuses the official client with %s, whatever its transport', async (_name, token) => {
      for (const transport of officialTransports) {
        await expect(connectHub(server.url + path, { accessToken: token, transport })).rejects.toThrow(
          NEGOTIATE_UNAUTHORIZED,
        );
      }
      await expect(
        connectHub(server.url + path, {
          accessToken: token,
          skipNegotiation: true,
          transport: HttpTransportType.WebSockets,
        }),
      ).rejects.toThrow(/^WebSocket failed to connect/);
    });

    describe.each(connectRequests)('over %s', (_transport, connectWith) => {
      it('refuses to connect a negotiated connection without a token: 401', async () => {
        const token = await negotiate(path);
        expect(await connectWith(`${server.url}${path}?id=${token}`)).toEqual(UNAUTHORIZED);
      });

      it('refuses to connect a negotiated connection with an invalid token, in the header or the query: 401', async () => {
        const first = await negotiate(path);
        expect(await connectWith(`${server.url}${path}?id=${first}`, { Authorization: 'Bearer forged' })).toEqual(
          UNAUTHORIZED,
        );
        const second = await negotiate(path);
        expect(await connectWith(`${server.url}${path}?id=${second}&access_token=forged`)).toEqual(UNAUTHORIZED);
      });
    });

    it('refuses a WebSocket without negotiation and without a token: 401', async () => {
      expect(await upgradeResponse(`${server.url}${path}`)).toEqual(UNAUTHORIZED);
    });

    it('lets an authenticated client in', async () => {
      const member = await connect(path, 'user:carol');
      expect(await member.invoke('WhoAmI')).toEqual({ userIdentifier: 'carol', user: { sub: 'carol' } });
    });
  });

  describe('closeOnAuthenticationExpiration', () => {
    it('closes a connection when the exp claim of its token passes: Close with allowReconnect, no error', async () => {
      const expiresAt = Date.now() + SHORT_LIFETIME;
      const raw = await RawHubSocket.connect(`${server.url}/expiring`, {
        Authorization: `Bearer exp:dave:${expiresAt / 1000}`,
      });
      expect(await raw.invoke('1', 'Echo', 'before')).toEqual({ type: 3, invocationId: '1', result: 'before' });
      expect(await raw.nextNonPing()).toEqual({ type: 7, allowReconnect: true });
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
      expect((await raw.closed).code).toBe(1000);
    });

    it('closes at the expiry of an AuthenticationTicket that authenticate returned', async () => {
      const expiresAt = Date.now() + SHORT_LIFETIME;
      const raw = await RawHubSocket.connect(`${server.url}/expiring?access_token=ticket:erin:${expiresAt}`);
      expect(await raw.nextNonPing()).toEqual({ type: 7, allowReconnect: true });
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
      await raw.closed;
    });

    it.each(transportCases)(
      'the official client over %s reconnects with a fresh token and carries on',
      async (_name, transport) => {
        let renewed = false;
        const connection = new HubConnectionBuilder()
          .withUrl(`${server.url}/expiring`, {
            transport,
            // Called for negotiate and for the transport: short-lived tokens until the reconnect.
            accessTokenFactory: () => expiringIn('frank', renewed ? 60_000 : SHORT_LIFETIME),
          })
          .withAutomaticReconnect([0])
          .configureLogging(LogLevel.None)
          .build();
        open.push(connection);
        const reconnecting = new Promise<Error | undefined>((resolve) =>
          connection.onreconnecting((error) => {
            renewed = true;
            resolve(error);
          }),
        );
        const reconnected = new Promise<string | undefined>((resolve) => connection.onreconnected(resolve));
        await connection.start();
        const firstId = connection.connectionId;

        expect(await reconnecting).toBeUndefined();
        const secondId = await reconnected;
        expect(secondId).not.toBe(firstId);
        expect(await connection.invoke('WhoAmI')).toMatchObject({ userIdentifier: 'frank' });
      },
    );

    it('leaves connections alone on a hub without the option, and principals without an expiry', async () => {
      const token = expiringIn('gina', SHORT_LIFETIME);
      const expiring = await RawHubSocket.connect(`${server.url}/expiring?access_token=${token}`);
      const lenient = await RawHubSocket.connect(`${server.url}/lenient?access_token=${token}`);
      const timeless = await RawHubSocket.connect(`${server.url}/expiring?access_token=user:gina`);

      expect(await expiring.nextNonPing()).toEqual({ type: 7, allowReconnect: true });
      // Pings written after the expiry come from heartbeats that would have closed them.
      for (const survivor of [lenient, timeless]) {
        survivor.skipReceived();
        expect(await survivor.next()).toEqual({ type: 6 });
        expect(await survivor.invoke('1', 'Echo', 'still here')).toEqual({
          type: 3,
          invocationId: '1',
          result: 'still here',
        });
        survivor.close();
        await survivor.closed;
      }
    });
  });
});
