import request from 'supertest';
import { EventStream, httpTransportResponse, type RawResponse, upgradeResponse } from '../support/raw-http.js';
import { RawHubSocket } from '../support/raw-socket.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { SecureHubsModule } from './secure-hubs.js';

/**
 * Issue 13, item 1: on a hub that requires authentication, every HTTP request
 * of a connection is authenticated like the first, whatever the transport and
 * the kind of request: without a valid credential 401, with another user's 403.
 */

const RS = '\x1e';
const HANDSHAKE = JSON.stringify({ protocol: 'json', version: 1 }) + RS;
const ALICE = 'user:alice';
/** What a client with a leaked connection token sends: alice's WhoAmI, to read her identity. */
const STOLEN_CALL = JSON.stringify({ type: 1, invocationId: 'stolen', target: 'WhoAmI', arguments: [] }) + RS;

interface Credential {
  headers: Record<string, string>;
  query: string;
}
const credential = (token?: string, inQuery = false): Credential => ({
  headers: token && !inQuery ? { Authorization: `Bearer ${token}` } : {},
  query: token && inQuery ? `&access_token=${encodeURIComponent(token)}` : '',
});

/** Every way a request may lack alice's credential, and what it gets. */
const REFUSED: [string, Credential, RawResponse][] = [
  ['no credential', credential(), { status: 401, body: 'Unauthorized' }],
  ['a forged token in the header', credential('forged'), { status: 401, body: 'Unauthorized' }],
  ['a forged token in the query', credential('forged', true), { status: 401, body: 'Unauthorized' }],
  ["another user's valid token", credential('user:mallory'), { status: 403, body: 'Forbidden' }],
  ["another user's valid token in the query", credential('user:mallory', true), { status: 403, body: 'Forbidden' }],
];
const OWN = credential(ALICE);

const HUBS = [
  ['@HubAuthorize()', '/authorized'],
  ['requireAuthentication: true', '/required'],
] as const;

describe('security: every request of a connection to a hub that requires authentication is authenticated', () => {
  let server: RunningApp;
  const streams: EventStream[] = [];
  const sockets: RawHubSocket[] = [];

  beforeAll(async () => {
    server = await startApp(SecureHubsModule);
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    for (const socket of sockets.splice(0)) {
      socket.close();
      await socket.closed;
    }
  });
  afterAll(() => server.close());

  async function negotiateAsAlice(path: string): Promise<string> {
    const { body } = await request(server.url)
      .post(`${path}/negotiate?negotiateVersion=1`)
      .set('Authorization', `Bearer ${ALICE}`)
      .expect(200);
    return body.connectionToken;
  }

  const urlOf = (path: string, token: string, who: Credential) =>
    `${server.url}${path}?id=${encodeURIComponent(token)}${who.query}`;

  async function send(path: string, token: string, who: Credential, body: string): Promise<RawResponse> {
    const response = await fetch(urlOf(path, token, who), { method: 'POST', headers: who.headers, body });
    return { status: response.status, body: await response.text() };
  }
  async function poll(path: string, token: string, who: Credential): Promise<RawResponse> {
    const response = await fetch(urlOf(path, token, who), { headers: who.headers });
    return { status: response.status, body: await response.text() };
  }
  async function terminate(path: string, token: string, who: Credential): Promise<RawResponse> {
    const response = await fetch(urlOf(path, token, who), { method: 'DELETE', headers: who.headers });
    return { status: response.status, body: await response.text() };
  }

  /** A long-polling connection of alice's, past its handshake. */
  async function aliceLongPolling(path: string): Promise<string> {
    const token = await negotiateAsAlice(path);
    expect((await poll(path, token, OWN)).status).toBe(200);
    expect((await send(path, token, OWN, HANDSHAKE)).status).toBe(200);
    expect(await poll(path, token, OWN)).toEqual({ status: 200, body: '{}' + RS });
    return token;
  }

  /** A Server-Sent Events connection of alice's, past its handshake. */
  async function aliceEventStream(path: string): Promise<{ token: string; stream: EventStream }> {
    const token = await negotiateAsAlice(path);
    const stream = await EventStream.open(urlOf(path, token, OWN), OWN.headers);
    streams.push(stream);
    expect((await send(path, token, OWN, HANDSHAKE)).status).toBe(200);
    await stream.until('data: {}' + RS);
    return { token, stream };
  }

  describe.each(HUBS)('%s', (_name, path) => {
    describe.each(REFUSED)('a request with %s', (_who, who, refusal) => {
      it('may not open the WebSocket of a negotiated connection', async () => {
        const token = await negotiateAsAlice(path);
        expect(await upgradeResponse(urlOf(path, token, who), who.headers)).toEqual(refusal);
        // The negotiation still waits for alice.
        expect(await upgradeResponse(urlOf(path, token, OWN), OWN.headers)).toEqual({ status: 101, body: '' });
      });

      it('may not open the event stream of a negotiated connection', async () => {
        const token = await negotiateAsAlice(path);
        const headers = { Accept: 'text/event-stream', ...who.headers };
        expect(await httpTransportResponse(urlOf(path, token, who), headers)).toEqual(refusal);
        const own = { Accept: 'text/event-stream', ...OWN.headers };
        expect(await httpTransportResponse(urlOf(path, token, OWN), own)).toEqual({ status: 200, body: '' });
      });

      it('may not make the first poll of a negotiated connection', async () => {
        const token = await negotiateAsAlice(path);
        expect(await poll(path, token, who)).toEqual(refusal);
        expect((await poll(path, token, OWN)).status).toBe(200);
      });

      it('may not send, poll or end a long-polling connection, nor read its replies', async () => {
        const token = await aliceLongPolling(path);
        expect(await send(path, token, who, STOLEN_CALL)).toEqual(refusal);
        expect(await poll(path, token, who)).toEqual(refusal);
        expect(await terminate(path, token, who)).toEqual(refusal);

        // The connection is alice's still, and never ran the stolen call.
        const call = JSON.stringify({ type: 1, invocationId: 'mine', target: 'WhoAmI', arguments: [] }) + RS;
        expect((await send(path, token, OWN, call)).status).toBe(200);
        const replies = (await poll(path, token, OWN)).body
          .split(RS)
          .filter(Boolean)
          .map((r) => JSON.parse(r));
        expect(replies).toEqual([{ type: 3, invocationId: 'mine', result: { userIdentifier: 'alice' } }]);
        expect(await terminate(path, token, OWN)).toEqual({ status: 202, body: '' });
      });

      it('may not send on a Server-Sent Events connection', async () => {
        const { token, stream } = await aliceEventStream(path);
        expect(await send(path, token, who, STOLEN_CALL)).toEqual(refusal);
        const call = JSON.stringify({ type: 1, invocationId: 'mine', target: 'Echo', arguments: ['ok'] }) + RS;
        expect((await send(path, token, OWN, call)).status).toBe(200);
        const text = await stream.until('"invocationId":"mine"');
        expect(text).not.toContain('stolen');
      });

      it('may not post to a WebSocket connection, nor take it over', async () => {
        const token = await negotiateAsAlice(path);
        const socket = await RawHubSocket.connect(urlOf(path, token, OWN), OWN.headers);
        sockets.push(socket);
        expect(await send(path, token, who, STOLEN_CALL)).toEqual(refusal);
        expect(await upgradeResponse(urlOf(path, token, who), who.headers)).toEqual(refusal);
        expect(await socket.invoke('1', 'WhoAmI')).toEqual({
          type: 3,
          invocationId: '1',
          result: { userIdentifier: 'alice' },
        });
      });
    });

    it("lets the connection's own user make every kind of request, with the token in the header or the query", async () => {
      const inQuery = credential(ALICE, true);
      const token = await aliceLongPolling(path);
      const call = JSON.stringify({ type: 1, invocationId: 'q', target: 'Echo', arguments: [1] }) + RS;
      expect(await send(path, token, inQuery, call)).toEqual({ status: 200, body: '' });
      expect(await poll(path, token, inQuery)).toEqual({
        status: 200,
        body: JSON.stringify({ type: 3, invocationId: 'q', result: 1 }) + RS,
      });
      expect(await terminate(path, token, inQuery)).toEqual({ status: 202, body: '' });
    });
  });

  it('leaves hubs that do not require authentication to the secret token, as ASP.NET Core does', async () => {
    const { body } = await request(server.url)
      .post('/open/negotiate?negotiateVersion=1')
      .set('Authorization', `Bearer ${ALICE}`)
      .expect(200);
    const token = body.connectionToken;
    expect((await poll('/open', token, OWN)).status).toBe(200);
    expect(await send('/open', token, credential(), HANDSHAKE)).toEqual({ status: 200, body: '' });
    expect(await poll('/open', token, credential())).toEqual({ status: 200, body: '{}' + RS });
    expect(await terminate('/open', token, credential())).toEqual({ status: 202, body: '' });
  });
});
