import { HttpTransportType, type HubConnection } from '@microsoft/signalr';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { connectHub } from './support/hub-client.js';
import { readText, startLongPolling } from './support/raw-http.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const RS = '\x1e';
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

// A short poll timeout only where the timeout is what a test exercises: elsewhere a
// waiting poll must not end by itself halfway through a test on a busy machine.
const POLL_TIMEOUT = 300;
const polling = transportHub('/poll');
const timingOut = transportHub('/pollTimeout', { pollTimeout: POLL_TIMEOUT });
const vanishing = transportHub('/pollVanish', { disconnectTimeout: 200 });
const bounded = transportHub('/pollBounded', { transportMaxBufferSize: 2048, enableDetailedErrors: true });
const LongPollingModule = hubsModule([polling.hub, timingOut.hub, vanishing.hub, bounded.hub]);

/** Long polling as the wire sees it (ASP.NET Core's LongPollingServerTransport). */
describe.each(HTTP_PLATFORMS)('long polling on %s', (platform) => {
  let server: RunningApp;
  const connections: HubConnection[] = [];
  const http = () => request(server.url);

  /** Resolves once the server has taken the next request (its listeners run in order: the hub's first). */
  function nextRequest(): Promise<void> {
    return new Promise((resolve) => (server.app.getHttpServer() as Server).once('request', () => resolve()));
  }

  /** A started connection that has done its handshake and taken the handshake response. */
  async function handshaken(path: string): Promise<string> {
    const token = await startLongPolling(server.url, path);
    await http().post(`${path}?id=${token}`).send(HANDSHAKE).expect(200);
    const poll = await http().get(`${path}?id=${token}`).buffer(true).parse(readText).expect(200);
    expect(poll.body).toBe(`{}${RS}`);
    return token;
  }

  beforeAll(async () => {
    server = await startApp(LongPollingModule, platform);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it('answers the first poll at once with 200 empty, not cacheable', async () => {
    const { body } = await http().post('/poll/negotiate?negotiateVersion=1').expect(200);
    const first = await http().get(`/poll?id=${body.connectionToken}`).expect(200);
    expect(first.headers['content-length']).toBe('0');
    expect(first.headers['content-type']).toBe('application/octet-stream');
    expect(first.headers['cache-control']).toBe('no-cache, no-store');
    expect(first.headers.pragma).toBe('no-cache');
    expect(first.headers.expires).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    await http().delete(`/poll?id=${body.connectionToken}`).expect(202);
  });

  it('returns everything queued since the last poll in one response', async () => {
    const token = await handshaken('/poll');
    const sender = await connectHub(`${server.url}/poll`, { transport: HttpTransportType.WebSockets });
    connections.push(sender);
    // Each Send completes after its broadcast is queued for the polling connection.
    for (const message of ['one', 'two', 'three']) await sender.invoke('Send', message);

    const poll = await http().get(`/poll?id=${token}`).buffer(true).parse(readText).expect(200);
    expect(poll.headers['content-type']).toBe('application/octet-stream');
    expect(poll.body.split(RS)).toEqual([
      '{"type":1,"target":"Receive","arguments":["WebSockets","one"]}',
      '{"type":1,"target":"Receive","arguments":["WebSockets","two"]}',
      '{"type":1,"target":"Receive","arguments":["WebSockets","three"]}',
      '',
    ]);
    await http().delete(`/poll?id=${token}`).expect(202);
  });

  it('returns 200 empty when nothing arrives within the poll timeout, not before', async () => {
    const token = await handshaken('/pollTimeout');
    const sentAt = performance.now();
    const poll = await http().get(`/pollTimeout?id=${token}`).expect(200);
    // The wait is the behaviour: a server answering every poll at once fails here. (The
    // server's clock counts whole milliseconds: 1 ms of slack.)
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(POLL_TIMEOUT - 1);
    expect(poll.headers['content-length']).toBe('0');
    expect(poll.text).toBe('');
    await http().delete(`/pollTimeout?id=${token}`).expect(202);
  });

  it('ends a waiting poll with 204 when a newer poll arrives', async () => {
    const token = await handshaken('/poll');
    const taken = nextRequest();
    const first = http()
      .get(`/poll?id=${token}`)
      .then((response) => response);
    await taken;
    const second = http()
      .get(`/poll?id=${token}`)
      .then((response) => response);
    expect((await first).status).toBe(204);
    // The newer poll is the one waiting now; DELETE ends it with 204 as well.
    await http().delete(`/poll?id=${token}`).expect(202);
    expect((await second).status).toBe(204);
    await http().get(`/poll?id=${token}`).expect(404, 'No Connection with that ID');
  });

  it('after the server ends the connection, hands over the Close message, then 204, then forgets the token', async () => {
    const token = await handshaken('/poll');
    await http().post(`/poll?id=${token}`).send(`{"type":1,"target":"Abort","arguments":[]}${RS}`).expect(200);
    const last = await http().get(`/poll?id=${token}`).buffer(true).parse(readText).expect(200);
    expect(last.body).toBe(`{"type":7}${RS}`);
    await http().post(`/poll?id=${token}`).send(`{"type":6}${RS}`).expect(404, '');
    await http().get(`/poll?id=${token}`).expect(204);
    await http().get(`/poll?id=${token}`).expect(404, 'No Connection with that ID');
  });

  it('disposes a connection that stops polling, after the disconnect timeout', async () => {
    const before = vanishing.record.disconnected;
    await handshaken('/pollVanish');
    await vanishing.record.untilDisconnected(before + 1);
    expect(vanishing.record.state()).toEqual({
      connections: 0,
      negotiated: 0,
      active: 0,
      lifetime: 0,
      heartbeatListeners: 2,
    });
  });

  it('closes a connection with an error when more output waits than transportMaxBufferSize', async () => {
    const token = await handshaken('/pollBounded');
    const sender = await connectHub(`${server.url}/pollBounded`, { transport: HttpTransportType.WebSockets });
    connections.push(sender);
    const before = bounded.record.disconnected;
    // 3 × ~1 KB: the third does not fit in 2 KB while the others wait for a poll.
    for (let i = 0; i < 3; i++) await sender.invoke('Send', 'x'.repeat(1000));
    await bounded.record.untilDisconnected(before + 1);

    const last = await http().get(`/pollBounded?id=${token}`).buffer(true).parse(readText).expect(200);
    expect(JSON.parse(last.body.slice(0, -1))).toEqual({
      type: 7,
      error: 'Connection closed with an error. Error: More than 2048 bytes were waiting for the client to poll.',
      allowReconnect: true,
    });
    await http().get(`/pollBounded?id=${token}`).expect(204);
  });
});

/** Reads any body as text (supertest leaves application/octet-stream unread). */
