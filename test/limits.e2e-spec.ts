import { type HubConnection, HttpTransportType } from '@microsoft/signalr';
import request from 'supertest';
import { connectHub, Inbox } from './support/hub-client.js';
import { negotiate, readText, upgradeResponse } from './support/raw-http.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import {
  BROADCAST_PENDING_LIMIT,
  BroadcastHub,
  FloodHub,
  LimitedHub,
  SecurityModule,
} from './fixtures/security.hub.js';

const LIMIT_TEXT = 'The hub has reached its limit of 2 concurrent connections. Try again later.';
const CLOSED_WITH_ERROR = { type: 7, error: 'Connection closed with an error.', allowReconnect: true };
const RS = '\x1e';
/** Invocations that may wait for a slot before the server stops reading (MAX_WAITING_INVOCATIONS). */
const MAX_WAITING_INVOCATIONS = 256;

describe('limits', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(SecurityModule);
  });
  afterAll(() => server.close());

  describe('maximumConcurrentConnections', () => {
    let hub: LimitedHub;
    let url: string;

    beforeAll(() => {
      hub = server.app.get(LimitedHub);
      url = `${server.url}/limited`;
    });

    it.each([
      ['WebSockets', HttpTransportType.WebSockets],
      ['ServerSentEvents', HttpTransportType.ServerSentEvents],
      ['LongPolling', HttpTransportType.LongPolling],
    ])(
      'refuses negotiate and connect beyond the limit with 503 and a clear text, until one leaves (%s)',
      async (_name, transport) => {
        const disconnected = hub.disconnects.total;
        const first = await connectHub(url, { transport });
        const second = await connectHub(url, { transport });

        await expect(connectHub(url, { transport })).rejects.toThrow(
          `Failed to complete negotiation with the server: Error: ${LIMIT_TEXT}: Status code '503'`,
        );
        const negotiation = await request(server.url).post('/limited/negotiate?negotiateVersion=1').expect(503);
        expect(negotiation.text).toBe(LIMIT_TEXT);
        expect(negotiation.headers['content-type']).toMatch(/^text\/plain/);
        expect(await upgradeResponse(url)).toEqual({ status: 503, body: LIMIT_TEXT });
        // The connections inside the limit are not disturbed.
        expect(await first.invoke('Echo', 1)).toBe(1);
        expect(await second.invoke('Echo', 2)).toBe(2);

        await first.stop();
        await hub.disconnects.waitFor(disconnected + 1);
        const third = await connectHub(url, { transport });
        expect(await third.invoke('Echo', 3)).toBe(3);
        await Promise.all([second.stop(), third.stop()]);
        await hub.disconnects.waitFor(disconnected + 3);
        expect(hub.endpoint.connectionCount).toBe(0);
      },
    );

    it('counts negotiations that wait for their transport', async () => {
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const { body } = await request(server.url).post('/limited/negotiate?negotiateVersion=1').expect(200);
        tokens.push(body.connectionToken);
      }
      expect((await request(server.url).post('/limited/negotiate?negotiateVersion=1').expect(503)).text).toBe(
        LIMIT_TEXT,
      );
      expect(await upgradeResponse(url)).toEqual({ status: 503, body: LIMIT_TEXT });

      // Each negotiated connection still gets its transport: it was counted at negotiate.
      const raws = await Promise.all(tokens.map((token) => RawHubSocket.connect(`${url}?id=${token}`)));
      expect(await raws[1].invoke('1', 'Echo', 'in')).toEqual({ type: 3, invocationId: '1', result: 'in' });
      expect(await upgradeResponse(url)).toEqual({ status: 503, body: LIMIT_TEXT });
      for (const raw of raws) raw.close();
      await Promise.all(raws.map((raw) => raw.closed));
    });
  });

  describe('maximumPendingBytes: a slow consumer', () => {
    let hub: BroadcastHub;
    let url: string;
    let fast: HubConnection[];
    let inboxes: Inbox[];

    beforeEach(async () => {
      hub = server.app.get(BroadcastHub);
      url = `${server.url}/broadcast`;
      fast = await Promise.all([connectHub(url), connectHub(url), connectHub(url)]);
      inboxes = fast.map((connection) => new Inbox(connection, 'Tick'));
    });
    afterEach(() => Promise.all(fast.map((connection) => connection.stop())));

    /** Watches what waits for one client after every write and send, and how the server ends it. */
    function watch(connectionId: string) {
      const connection = [...hub.endpoint.handler.connections].find((c) => c.connectionId === connectionId)!;
      const watched = { connection, peakPending: 0, closedWithError: undefined as boolean | undefined };
      const measure = () => (watched.peakPending = Math.max(watched.peakPending, connection.pendingOutgoingBytes));
      const write = connection.write.bind(connection);
      connection.write = (bytes) => (write(bytes), measure());
      const transport = connection.transport;
      const send = transport.send.bind(transport);
      transport.send = (data, binary) => (send(data, binary), measure());
      const close = transport.close.bind(transport);
      transport.close = (error) => {
        watched.closedWithError = error === true;
        close(error);
      };
      return watched;
    }

    /**
     * Broadcasts 16 messages of 16 KiB per turn, as fast as the fast clients
     * take them, until four batches after the slow client was dropped;
     * returns how many were sent, and checks the fast clients got them all.
     */
    async function broadcastUntilDropped(slow: { closedWithError?: boolean }): Promise<number> {
      const payload = 'x'.repeat(16 * 1024);
      let sent = 0;
      let batchesAfterDrop = 0;
      while (batchesAfterDrop < 4) {
        if (sent >= 8192) throw new Error(`The slow client was not dropped after ${sent} messages.`);
        for (let i = 0; i < 16; i++) await hub.endpoint.clients.all.send('Tick', sent++, payload);
        await Promise.all(
          inboxes.map(async (inbox) => {
            while (((inbox.received.at(-1)?.[0] as number | undefined) ?? -1) < sent - 1) await inbox.next();
          }),
        );
        if (slow.closedWithError !== undefined) batchesAfterDrop++;
      }
      for (const inbox of inboxes) {
        expect(inbox.received.map(([n]) => n)).toEqual(Array.from({ length: sent }, (_, n) => n));
      }
      return sent;
    }

    /** The Tick numbers among records, which must be 0, 1, 2... with no gap. */
    function expectTicksInOrder(records: { type: number; arguments?: unknown[] }[]): number {
      const ticks = records.filter((record) => record.type === 1).map((record) => record.arguments?.[0]);
      expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, n) => n));
      return ticks.length;
    }

    it('a WebSocket that stops reading is dropped with an error, while the others get every message', async () => {
      const raw = await RawHubSocket.connect(url);
      const { result: id } = (await raw.invoke('1', 'ConnectionId')) as { result: string };
      const slow = watch(id);
      // The slow client stops reading: the OS buffers fill, then the server's.
      const tcp = (raw.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      tcp.pause();

      const sent = await broadcastUntilDropped(slow);
      expect(slow.closedWithError).toBe(true);
      expect(slow.peakPending).toBeLessThanOrEqual(BROADCAST_PENDING_LIMIT);
      expect(slow.peakPending).toBeGreaterThan(BROADCAST_PENDING_LIMIT / 2);
      // Nothing more waits for it: later sends are not queued.
      expect(slow.connection.pendingOutgoingBytes).toBeLessThanOrEqual(BROADCAST_PENDING_LIMIT);

      // Reading again, it gets what the OS and the server held, in order, then the error Close.
      tcp.resume();
      expect((await raw.closed).code).toBe(1011);
      const records = raw.records as { type: number; arguments?: unknown[] }[];
      expect(records.at(-1)).toEqual(CLOSED_WITH_ERROR);
      expect(expectTicksInOrder(records)).toBeLessThan(sent);
    });

    it('a long-polling client that stops polling is dropped the same way', async () => {
      const { connectionId, connectionToken } = await negotiate(server.url, '/broadcast');
      const pollUrl = `/broadcast?id=${connectionToken}`;
      const poll = () => request(server.url).get(pollUrl).buffer(true).parse(readText);
      expect((await poll()).status).toBe(200); // the first poll starts the connection
      await request(server.url)
        .post(pollUrl)
        .send('{"protocol":"json","version":1}' + RS)
        .expect(200);
      expect((await poll()).body).toBe('{}' + RS);
      const slow = watch(connectionId);

      const sent = await broadcastUntilDropped(slow);
      expect(slow.closedWithError).toBe(true);
      expect(slow.peakPending).toBeLessThanOrEqual(BROADCAST_PENDING_LIMIT);
      expect(slow.peakPending).toBeGreaterThan(BROADCAST_PENDING_LIMIT / 2);

      // Its next poll gets what was held, in order, then the error Close; the one after, 204.
      const held = await poll().expect(200);
      const records = (held.body as string)
        .split(RS)
        .filter(Boolean)
        .map((text) => JSON.parse(text));
      expect(records.at(-1)).toEqual(CLOSED_WITH_ERROR);
      expect(expectTicksInOrder(records)).toBeLessThan(sent);
      await poll().expect(204);
    });
  });

  describe('a flood of invocations', () => {
    it('stops reading a client whose invocations pile up, reads again as they run, and loses none', async () => {
      const hub = server.app.get(FloodHub);
      const raw = await RawHubSocket.connect(`${server.url}/flood`);
      const [onServer] = hub.endpoint.handler.connections;
      const transport = onServer.transport;
      let pauses = 0;
      let resumes = 0;
      const pause = transport.pause!.bind(transport);
      const resume = transport.resume!.bind(transport);
      transport.pause = () => (pauses++, pause());
      transport.resume = () => (resumes++, resume());

      // One invocation holds the only slot; a thousand more arrive in the same frame.
      const count = 1000;
      let frame = '{"type":1,"invocationId":"hold","target":"Hold","arguments":[]}' + RS;
      for (let i = 0; i < count; i++)
        frame += `{"type":1,"invocationId":"${i}","target":"Echo","arguments":[${i}]}` + RS;
      raw.sendText(frame);
      await hub.gate.entered;
      expect(onServer.waitingInvocations).toHaveLength(MAX_WAITING_INVOCATIONS);
      expect(pauses).toBe(1);

      hub.gate.release();
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: 'hold' });
      for (let i = 0; i < count; i++) {
        expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: String(i), result: i });
      }
      expect(resumes).toBeGreaterThanOrEqual(1);
      expect(pauses).toBeGreaterThanOrEqual(resumes);
      raw.close();
      await raw.closed;
    });
  });
});
