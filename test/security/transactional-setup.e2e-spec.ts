import type { DefaultHubLifetimeManager } from '../../libs/signalr/src/lifetime/default-hub-lifetime-manager.js';
import request from 'supertest';
import { closed, connectHub, TRANSPORTS } from '../support/hub-client.js';
import {
  EventStream,
  httpTransportResponse,
  type RawResponse,
  readText,
  upgradeResponse,
} from '../support/raw-http.js';
import { RawHubSocket } from '../support/raw-socket.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { FRAGILE_LIMIT, FragileHub, FragileModule, faults } from './fragile-hub.js';

/**
 * Issue 13, item 2: whatever fails between negotiate and a running connection
 * releases everything (the connection, its negotiation, its slot of the
 * connection limit, its heartbeat timers, its groups) and is answered as the
 * transport allows: an HTTP status before a WebSocket upgrade, a Close and
 * WebSocket close code 1011 after it.
 */

const RS = '\x1e';
const PATH = '/fragile';
const SERVER_ERROR: RawResponse = { status: 500, body: '' };
const UNAUTHORIZED: RawResponse = { status: 401, body: 'Unauthorized' };
const CLOSED_WITH_ERROR = { type: 7, error: 'Connection closed with an error.' };

type Transport = (typeof TRANSPORTS)[number][0];

describe('security: connection set-up is transactional', () => {
  let server: RunningApp;
  let hub: FragileHub;
  let heartbeatListeners: number;

  beforeAll(async () => {
    server = await startApp(FragileModule);
    hub = server.app.get(FragileHub);
    heartbeatListeners = hub.endpoint.handler.heartbeat.size;
  });
  afterEach(async () => {
    faults.onConnected = false;
    await nothingLeft();
  });
  afterAll(async () => {
    // Every slot of the limit is free after all the faults: the limit's worth of clients get in.
    const clients = await Promise.all(
      Array.from({ length: FRAGILE_LIMIT }, () => connectHub(server.url + PATH, { accessToken: 'user:alice' })),
    );
    for (const client of clients) expect(await client.invoke('WhoAmI')).toBe('alice');
    await Promise.all(clients.map((client) => client.stop()));
    await server.close();
  });

  /** Nothing of any connection is left: connections, negotiations, transports, timers, groups. */
  async function nothingLeft(): Promise<void> {
    const { handler, http } = hub.endpoint;
    const lifetime = handler.lifetimeManager as DefaultHubLifetimeManager;
    // A transport's close reaches the server a moment after the client sees it; no event tells a test.
    for (let i = 0; i < 200 && handler.connections.size + http.activeConnectionCount > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect({
      connections: handler.connections.size,
      negotiations: http.connectionManager.size,
      transports: http.activeConnectionCount,
      lifetimeManager: lifetime.connectionCount,
      groups: lifetime.groupCount,
      heartbeatListeners: handler.heartbeat.size,
    }).toEqual({
      connections: 0,
      negotiations: 0,
      transports: 0,
      lifetimeManager: 0,
      groups: 0,
      heartbeatListeners,
    });
  }

  function negotiate(token: string): request.Test {
    return request(server.url).post(`${PATH}/negotiate?negotiateVersion=1`).set('Authorization', `Bearer ${token}`);
  }

  /** The first request of each transport for a negotiated connection, as a raw request. */
  function connect(transport: Transport, connectionToken: string, accessToken: string): Promise<RawResponse> {
    const url = `${server.url}${PATH}?id=${connectionToken}`;
    const headers = { Authorization: `Bearer ${accessToken}` };
    if (transport === 'WebSockets') return upgradeResponse(url, headers);
    if (transport === 'ServerSentEvents')
      return httpTransportResponse(url, { Accept: 'text/event-stream', ...headers });
    return httpTransportResponse(url, headers);
  }

  describe.each(TRANSPORTS)('%s', (name, transport) => {
    it('authenticate throws at negotiate: 401, nothing is created', async () => {
      await expect(connectHub(server.url + PATH, { accessToken: 'throw:', transport })).rejects.toThrow(
        "Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'",
      );
    });

    it('authenticate throws when the transport starts: 401, and the negotiation waits for a good token', async () => {
      const { body } = await negotiate('user:alice').expect(200);
      expect(await connect(name, body.connectionToken, 'throw:')).toEqual(UNAUTHORIZED);
      // The official client retries a 401 with a fresh token: the negotiation is still there for it.
      expect((await connect(name, body.connectionToken, 'user:alice')).status).toBe(name === 'WebSockets' ? 101 : 200);
      // (The other transports have ended their connection already.)
      if (name === 'LongPolling') await request(server.url).delete(`${PATH}?id=${body.connectionToken}`).expect(202);
    });

    it('userIdProvider throws at negotiate: 500, nothing is created', async () => {
      await expect(connectHub(server.url + PATH, { accessToken: 'object-sub:alice', transport })).rejects.toThrow(
        "Status code '500'",
      );
    });

    it('userIdProvider throws when the transport starts: 500 before any upgrade, and the negotiation is dropped', async () => {
      const { body } = await negotiate('user:alice').expect(200);
      expect(await connect(name, body.connectionToken, 'object-sub:alice')).toEqual(SERVER_ERROR);
      expect(await connect(name, body.connectionToken, 'user:alice')).toEqual({
        status: 404,
        body: 'No Connection with that ID',
      });
    });

    it('onConnected throws after joining a group: the client gets Close with an error, the group is left', async () => {
      faults.onConnected = true;
      const disconnectedBefore = hub.disconnected;
      const client = await connectHub(server.url + PATH, { accessToken: 'user:alice', transport }).catch(
        (error: Error) => error,
      );
      if (client instanceof Error) {
        // The Close may come with the handshake's answer: start() fails with it.
        expect(client.message).toContain('Connection closed with an error.');
      } else {
        expect((await closed(client))?.message).toBe(
          'Server returned an error on close: Connection closed with an error.',
        );
      }
      await nothingLeft();
      expect(hub.disconnected).toBe(disconnectedBefore + 1);
    });

    it('the handshake fails: an error answer, and nothing stays', async () => {
      const { body } = await negotiate('user:alice').expect(200);
      const target = `${PATH}?id=${body.connectionToken}&access_token=user%3Aalice`;
      const badHandshake = JSON.stringify({ protocol: 'no-such-protocol', version: 1 }) + RS;
      const expected = { error: "The protocol 'no-such-protocol' is not supported." };
      if (name === 'WebSockets') {
        const socket = await RawHubSocket.open(server.url + target);
        socket.sendText(badHandshake);
        expect(await socket.next()).toEqual(expected);
        await socket.closed;
      } else if (name === 'ServerSentEvents') {
        const stream = await EventStream.open(server.url + target);
        await request(server.url).post(target).send(badHandshake).expect(200);
        expect(await stream.until(RS)).toContain(`data: ${JSON.stringify(expected)}${RS}\r\n`);
        await stream.ended();
      } else {
        await request(server.url).get(target).expect(200);
        await request(server.url).post(target).send(badHandshake).expect(200);
        const poll = await request(server.url).get(target).buffer(true).parse(readText);
        expect(poll.body).toBe(JSON.stringify(expected) + RS);
        // The client's next poll learns that the connection has ended.
        await request(server.url).get(target).expect(204);
      }
    });

    it('the transport goes away before the handshake: nothing stays', async () => {
      const { body } = await negotiate('user:alice').expect(200);
      const url = `${server.url}${PATH}?id=${body.connectionToken}&access_token=user%3Aalice`;
      if (name === 'WebSockets') {
        const socket = await RawHubSocket.open(url);
        socket.socket.terminate();
        await socket.closed;
      } else if (name === 'ServerSentEvents') {
        const stream = await EventStream.open(url);
        stream.close();
      } else {
        const target = new URL(url).pathname + new URL(url).search;
        await request(server.url).get(target).expect(200);
        await request(server.url).delete(target).expect(202);
      }
    });
  });

  it('a fault after the WebSocket upgrade closes it with 1011 and the Close message, never an HTTP status', async () => {
    faults.onConnected = true;
    const socket = await RawHubSocket.open(`${server.url}${PATH}?access_token=user%3Aalice`);
    socket.send({ protocol: 'json', version: 1 });
    expect(await socket.next()).toEqual({});
    expect(await socket.next()).toEqual(CLOSED_WITH_ERROR);
    expect(await socket.closed).toEqual({ code: 1011 });
  });

  it(`a hub limited to ${FRAGILE_LIMIT} connections stays open after many more faulty set-ups than that`, async () => {
    for (let i = 0; i < FRAGILE_LIMIT * 3; i++) {
      await expect(connectHub(server.url + PATH, { accessToken: 'object-sub:x' })).rejects.toThrow("'500'");
      const { body } = await negotiate('user:alice').expect(200);
      expect(await connect('WebSockets', body.connectionToken, 'object-sub:alice')).toEqual(SERVER_ERROR);
      faults.onConnected = true;
      const client = await connectHub(server.url + PATH, { accessToken: 'user:alice' }).catch(() => undefined);
      if (client) await closed(client);
      faults.onConnected = false;
    }
    await nothingLeft();
    const client = await connectHub(server.url + PATH, { accessToken: 'user:alice' });
    expect(await client.invoke('WhoAmI')).toBe('alice');
    await client.stop();
  });
});
