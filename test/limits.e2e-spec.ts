import type { HubConnection } from '@microsoft/signalr';
import request from 'supertest';
import { connectHub, Inbox } from './support/hub-client.js';
import { upgradeResponse } from './support/raw-http.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { BROADCAST_PENDING_LIMIT, BroadcastHub, FloodHub, LimitedHub, SecurityModule } from './fixtures/security.hub.js';

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

    it('refuses negotiate and connect beyond the limit with 503 and a clear text, until a connection leaves', async () => {
      const first = await connectHub(url);
      const second = await connectHub(url);

      await expect(connectHub(url)).rejects.toThrow(
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
      await hub.disconnects.waitFor(1);
      const third = await connectHub(url);
      expect(await third.invoke('Echo', 3)).toBe(3);
      await Promise.all([second.stop(), third.stop()]);
      await hub.disconnects.waitFor(3);
      expect(hub.endpoint.connectionCount).toBe(0);
    });

    it('counts negotiations that wait for their transport', async () => {
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const { body } = await request(server.url).post('/limited/negotiate?negotiateVersion=1').expect(200);
        tokens.push(body.connectionToken);
      }
      expect((await request(server.url).post('/limited/negotiate?negotiateVersion=1').expect(503)).text).toBe(LIMIT_TEXT);
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
    it('is dropped with an error when it stops reading, while the others get every message of a fast broadcast', async () => {
      const hub = server.app.get(BroadcastHub);
      const url = `${server.url}/broadcast`;
      const fast: HubConnection[] = await Promise.all([connectHub(url), connectHub(url), connectHub(url)]);
      const inboxes = fast.map((connection) => new Inbox(connection, 'Tick'));

      const slow = await RawHubSocket.connect(url);
      const { result: slowId } = (await slow.invoke('1', 'ConnectionId')) as { result: string };
      const slowOnServer = [...hub.endpoint.handler.connections].find((c) => c.connectionId === slowId)!;
      // Watches what waits for the slow client after every write, and how the server ends it.
      let peakPending = 0;
      let closedWithError: boolean | undefined;
      const write = slowOnServer.write.bind(slowOnServer);
      slowOnServer.write = (bytes) => {
        write(bytes);
        peakPending = Math.max(peakPending, slowOnServer.pendingOutgoingBytes);
      };
      const transport = slowOnServer.transport;
      const send = transport.send.bind(transport);
      transport.send = (data, binary) => {
        send(data, binary);
        peakPending = Math.max(peakPending, slowOnServer.pendingOutgoingBytes);
      };
      const close = transport.close.bind(transport);
      transport.close = (error) => {
        closedWithError = error === true;
        close(error);
      };
      // The slow client stops reading: the OS buffers fill, then the server's.
      (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

      // A broadcast as fast as the fast clients take it: 16 messages of 16 KiB per turn.
      const payload = 'x'.repeat(16 * 1024);
      const batch = 16;
      let sent = 0;
      let batchesAfterDrop = 0;
      while (batchesAfterDrop < 4) {
        if (sent >= 8192) throw new Error(`The slow client was not dropped after ${sent} messages.`);
        for (let i = 0; i < batch; i++) await hub.endpoint.clients.all.send('Tick', sent++, payload);
        await Promise.all(inboxes.map(async (inbox) => {
          while (((inbox.received.at(-1)?.[0] as number | undefined) ?? -1) < sent - 1) await inbox.next();
        }));
        if (closedWithError !== undefined) batchesAfterDrop++;
      }

      expect(closedWithError).toBe(true);
      expect(peakPending).toBeLessThanOrEqual(BROADCAST_PENDING_LIMIT);
      expect(peakPending).toBeGreaterThan(BROADCAST_PENDING_LIMIT / 2);
      // Nothing more waits for it: what was queued was dropped, later sends are not queued.
      expect(slowOnServer.pendingOutgoingBytes).toBeLessThanOrEqual(BROADCAST_PENDING_LIMIT);
      for (const inbox of inboxes) {
        expect(inbox.received.map(([n]) => n)).toEqual(Array.from({ length: sent }, (_, n) => n));
      }

      // Reading again, the slow client gets what the OS and the server held, in order, then the error Close.
      (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect((await slow.closed).code).toBe(1011);
      const records = slow.records as { type: number; arguments?: unknown[] }[];
      expect(records.at(-1)).toEqual(CLOSED_WITH_ERROR);
      const ticks = records.filter((record) => record.type === 1).map((record) => record.arguments?.[0]);
      expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, n) => n));
      expect(ticks.length).toBeLessThan(sent);
      await Promise.all(fast.map((connection) => connection.stop()));
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
      for (let i = 0; i < count; i++) frame += `{"type":1,"invocationId":"${i}","target":"Echo","arguments":[${i}]}` + RS;
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
