import { HttpTransportType } from '@microsoft/signalr';
import request from 'supertest';
import WebSocket from 'ws';
import { closed, connectHub } from './support/hub-client.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { CLIENT_TIMEOUT_SECONDS, TIMEOUT_PATHS, TimeoutsModule } from './fixtures/timeouts.hub.js';

describe('negotiate and connect', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(TimeoutsModule);
  });
  afterAll(() => server.close());

  it('negotiate v1 gives a connection token distinct from the connection id', async () => {
    const { body, headers } = await request(server.url).post('/plain/negotiate?negotiateVersion=1').expect(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(body).toEqual({
      negotiateVersion: 1,
      connectionId: expect.stringMatching(/^[\w-]{22}$/),
      connectionToken: expect.stringMatching(/^[\w-]{22}$/),
      availableTransports: expect.arrayContaining([{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }]),
    });
    expect(body.connectionToken).not.toBe(body.connectionId);
  });

  it('negotiate v0 gives only the connection id; higher versions get 1', async () => {
    const v0 = await request(server.url).post('/plain/negotiate').expect(200);
    expect(v0.body.connectionToken).toBeUndefined();
    expect(v0.body.negotiateVersion).toBe(0);
    const v7 = await request(server.url).post('/plain/negotiate?NegotiateVersion=7').expect(200);
    expect(v7.body.negotiateVersion).toBe(1);
  });

  it('negotiate refuses a non-integer version with an error body', async () => {
    const { body } = await request(server.url).post('/plain/negotiate?negotiateVersion=x').expect(200);
    expect(body).toEqual({ error: 'The client requested a non-integer protocol version.' });
  });

  it('negotiate answers other methods with 405', async () => {
    await request(server.url).get('/plain/negotiate').expect(405);
  });

  it('a WebSocket with an unknown connection token gets 404', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/plain?id=unknown`);
    const status = await new Promise((resolve) =>
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(404);
  });

  it('a connection token serves one WebSocket: a second one gets 409 (as in ASP.NET Core)', async () => {
    const { body } = await request(server.url).post('/plain/negotiate?negotiateVersion=1').expect(200);
    const url = `${server.url}/plain?id=${body.connectionToken}`;
    const first = await RawHubSocket.connect(url);
    const second = new WebSocket(url.replace('http', 'ws'));
    const status = await new Promise((resolve) =>
      second.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(409);
    first.close();
  });

  it('official clients connect with skipNegotiation', async () => {
    const connection = await connectHub(`${server.url}/plain`, {
      skipNegotiation: true,
      transport: HttpTransportType.WebSockets,
    });
    expect(await connection.invoke('Echo', 'direct')).toBe('direct');
    await connection.stop();
  });

  it('several completions coalesced into one frame all reach the official client', async () => {
    const connection = await connectHub(`${server.url}/plain`);
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => connection.invoke('Echo', n)));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    await connection.stop();
  });
});

describe('keep-alive and timeouts', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(TimeoutsModule);
  });
  afterAll(() => server.close());

  it('the server pings an idle connection every keepAliveInterval', async () => {
    const raw = await RawHubSocket.connect(`${server.url}${TIMEOUT_PATHS.keepAlive}`);
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect(await raw.next()).toEqual({ type: 6 });
    // Three pings at a 100 ms interval (on a heartbeat of 25 ms).
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    raw.close();
  });

  it('closes a client that stops pinging after clientTimeoutInterval, with an error Close', async () => {
    const raw = await RawHubSocket.connect(`${server.url}${TIMEOUT_PATHS.clientTimeout}`);
    raw.send({ type: 6 }); // the first ping arms the client timeout, as in ASP.NET Core
    expect(await raw.nextNonPing()).toEqual({
      type: 7,
      error: 'Connection closed with an error.',
      allowReconnect: true,
    });
    await raw.closed;
  });

  it('the official client is closed with the server error when it stays silent too long', async () => {
    const connection = await connectHub(`${server.url}${TIMEOUT_PATHS.clientTimeout}`, {
      keepAliveIntervalInMilliseconds: 60_000,
    });
    const error = await closed(connection);
    expect(error?.message).toBe('Server returned an error on close: Connection closed with an error.');
  });

  it('an official client that keeps pinging stays connected past the client timeout', async () => {
    const connection = await connectHub(`${server.url}${TIMEOUT_PATHS.clientTimeoutSeconds}`, {
      keepAliveIntervalInMilliseconds: 100,
    });
    // Round trips after more than one and more than two client timeouts: pings kept it alive.
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, CLIENT_TIMEOUT_SECONDS + 200));
      expect(await connection.invoke('Echo', i)).toBe(i);
    }
    await connection.stop();
  });

  it('ends a connection that sends no handshake within handshakeTimeout', async () => {
    const raw = await RawHubSocket.open(`${server.url}${TIMEOUT_PATHS.handshakeTimeout}`);
    expect(await raw.next()).toEqual({ error: 'Handshake was canceled.' });
    await raw.closed;
  });
});
