import { type HubConnection, HttpTransportType, JsonHubProtocol } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemoryBroker, inMemoryBackplane } from 'nest-signalr';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import request from 'supertest';
import { closed, connectHub, Inbox } from './support/hub-client.js';
import { negotiate } from './support/raw-http.js';
import { InMemoryTelemetry, TraceparentProtocol } from './support/telemetry.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { LifecycleLog, TelemetryModule, telemetryNode } from './fixtures/telemetry.hub.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;
const HUB = { 'signalr.hub': 'TelemetryHub' };
const RS = '\x1e';

const VARIANTS = [
  { name: 'WebSockets/json', transport: HttpTransportType.WebSockets, value: 'web_sockets', msgpack: false },
  { name: 'WebSockets/messagepack', transport: HttpTransportType.WebSockets, value: 'web_sockets', msgpack: true },
  {
    name: 'ServerSentEvents/json',
    transport: HttpTransportType.ServerSentEvents,
    value: 'server_sent_events',
    msgpack: false,
  },
  { name: 'LongPolling/json', transport: HttpTransportType.LongPolling, value: 'long_polling', msgpack: false },
  { name: 'LongPolling/messagepack', transport: HttpTransportType.LongPolling, value: 'long_polling', msgpack: true },
];

describe('OpenTelemetry metrics and traces', () => {
  const telemetry = new InMemoryTelemetry();
  let server: RunningApp;
  let log: LifecycleLog;
  let url: string;

  beforeAll(async () => {
    telemetry.install(); // before the app starts, as an app does
    server = await startApp(TelemetryModule);
    log = server.app.get(LifecycleLog);
    url = `${server.url}/telemetry`;
  });
  afterAll(async () => {
    await server?.close();
    await telemetry.uninstall();
  });
  beforeEach(() => telemetry.spans.reset());

  function connect(transport: HttpTransportType, msgpack: boolean): Promise<HubConnection> {
    const protocol = msgpack ? new MessagePackHubProtocol() : new JsonHubProtocol();
    return connectHub(url, {
      transport,
      protocol: new TraceparentProtocol(protocol, TRACEPARENT),
      keepAliveIntervalInMilliseconds: 120_000,
      serverTimeoutInMilliseconds: 240_000,
    });
  }

  /** Stops a client and waits for the server's side of it, so that nothing of it counts later. */
  async function leave(connection: HubConnection): Promise<void> {
    const disconnected = log.total('disconnected');
    await connection.stop();
    await log.waitFor('disconnected', disconnected + 1);
  }

  function finishedSpan(name: string): ReadableSpan {
    const spans = telemetry.spans.getFinishedSpans().filter((span) => span.name === name);
    expect(spans).toHaveLength(1);
    return spans[0];
  }

  describe.each(VARIANTS)('over $name', ({ transport, value, msgpack }) => {
    const byTransport = { 'signalr.transport': value };

    it('counts the connection while it lives, and records its duration as a normal closure', async () => {
      const active = await telemetry.sum('signalr.server.active_connections', byTransport);
      const before = await telemetry.histogram('signalr.server.connection.duration', {
        ...byTransport,
        'signalr.connection.status': 'normal_closure',
      });
      const connected = log.total('connected');
      const connection = await connect(transport, msgpack);
      await log.waitFor('connected', connected + 1);
      expect(await telemetry.sum('signalr.server.active_connections', byTransport)).toBe(active + 1);

      await leave(connection);
      expect(await telemetry.sum('signalr.server.active_connections', byTransport)).toBe(active);
      const after = await telemetry.histogram('signalr.server.connection.duration', {
        ...byTransport,
        'signalr.connection.status': 'normal_closure',
      });
      expect(after!.count).toBe((before?.count ?? 0) + 1);
      expect(after!.sum).toBeGreaterThan(before?.sum ?? 0);
      // The stable conventions' bucket advice.
      expect(after!.buckets.boundaries).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]);

      const start = finishedSpan('TelemetryHub/onConnected');
      expect(start.kind).toBe(SpanKind.SERVER);
      expect(start.parentSpanContext).toBeUndefined();
      expect(start.attributes).toEqual({
        'rpc.system': 'signalr',
        'rpc.service': 'TelemetryHub',
        'rpc.method': 'onConnected',
        'signalr.transport': value,
      });
    });

    it('traces each invocation under the caller’s trace, and times it per method', async () => {
      const connection = await connect(transport, msgpack);
      const method = { ...HUB, 'signalr.method': 'lookUp' };
      const timed = (await telemetry.histogram('signalr.server.invocation.duration', method))?.count ?? 0;

      expect(await connection.invoke('lookUp', 'abc')).toBe('ABC');
      const span = finishedSpan('TelemetryHub/lookUp');
      expect(span.kind).toBe(SpanKind.SERVER);
      expect(span.attributes).toEqual({
        'rpc.system': 'signalr',
        'rpc.service': 'TelemetryHub',
        'rpc.method': 'lookUp',
      });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      // It continues the trace the invocation's traceparent header names...
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
      // ...and what the method traces runs under it.
      const child = finishedSpan('look-up');
      expect(child.spanContext().traceId).toBe(TRACE_ID);
      expect(child.parentSpanContext?.spanId).toBe(span.spanContext().spanId);

      expect((await telemetry.histogram('signalr.server.invocation.duration', method))?.count).toBe(timed + 1);
      await leave(connection);
    });

    it('records failed invocations on their span and with their error type', async () => {
      const connection = await connect(transport, msgpack);
      const failures = { ...HUB, 'signalr.method': 'crash', 'error.type': 'RangeError' };
      const failed = (await telemetry.histogram('signalr.server.invocation.duration', failures))?.count ?? 0;

      await expect(connection.invoke('crash')).rejects.toThrow(
        "An unexpected error occurred invoking 'crash' on the server.",
      );
      const span = finishedSpan('TelemetryHub/crash');
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'out of range' });
      expect(span.attributes['error.type']).toBe('RangeError');
      expect(span.events.map((event) => event.name)).toEqual(['exception']);
      expect(span.events[0].attributes?.['exception.message']).toBe('out of range');

      await expect(connection.invoke('fail')).rejects.toThrow('No such order.');
      expect(finishedSpan('TelemetryHub/fail').attributes['error.type']).toBe('HubException');

      expect((await telemetry.histogram('signalr.server.invocation.duration', failures))?.count).toBe(failed + 1);
      expect(
        (await telemetry.histogram('signalr.server.invocation.duration', { ...HUB, 'signalr.method': 'crash' }))?.count,
      ).toBeUndefined(); // no failure is counted as a success
      await leave(connection);
    });

    it('traces a stream until its completion, and counts the messages each way', async () => {
      const received = await telemetry.sum('signalr.server.messages.received', HUB);
      const sent = await telemetry.sum('signalr.server.messages.sent', HUB);
      const connection = await connect(transport, msgpack);

      const items: number[] = [];
      await new Promise<void>((resolve, reject) =>
        connection
          .stream('count', 3)
          .subscribe({ next: (n) => items.push(n as number), complete: resolve, error: reject }),
      );
      expect(items).toEqual([1, 2, 3]);
      expect(await connection.invoke('echo', 'hi')).toBe('hi');

      const stream = finishedSpan('TelemetryHub/count');
      expect(stream.attributes['rpc.method']).toBe('count');
      expect(stream.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
      // Two invocations in, and the ping the client sends once started unless the transport keeps
      // itself alive (long polling); three items and two completions out (the keep-alive is long).
      const pings = transport === HttpTransportType.LongPolling ? 0 : 1;
      expect({
        received: (await telemetry.sum('signalr.server.messages.received', HUB)) - received,
        sent: (await telemetry.sum('signalr.server.messages.sent', HUB)) - sent,
      }).toEqual({ received: 2 + pings, sent: 5 });
      await leave(connection);
    });
  });

  it('records connections closed at shutdown as app_shutdown', async () => {
    const own = await startApp(TelemetryModule);
    const ownLog = own.app.get(LifecycleLog);
    const shutdown = { 'signalr.transport': 'web_sockets', 'signalr.connection.status': 'app_shutdown' };
    const before = (await telemetry.histogram('signalr.server.connection.duration', shutdown))?.count ?? 0;
    const connection = await connectHub(`${own.url}/telemetry`, { transport: HttpTransportType.WebSockets });
    await ownLog.waitFor('connected', 1);
    const clientClosed = closed(connection);

    await own.close();
    await clientClosed;
    expect((await telemetry.histogram('signalr.server.connection.duration', shutdown))?.count).toBe(before + 1);
  });

  it('records a long-polling connection whose client stops polling as a timeout', async () => {
    const timedOut = { 'signalr.transport': 'long_polling', 'signalr.connection.status': 'timeout' };
    const before = (await telemetry.histogram('signalr.server.connection.duration', timedOut))?.count ?? 0;
    const disconnected = log.total('disconnected');
    // The client vanishes after its handshake: no poll, no DELETE.
    const { connectionToken } = await negotiate(server.url, '/telemetry-quick');
    await request(server.url).get(`/telemetry-quick?id=${connectionToken}`).expect(200);
    await request(server.url)
      .post(`/telemetry-quick?id=${connectionToken}`)
      .send('{"protocol":"json","version":1}' + RS)
      .expect(200);

    await log.waitFor('disconnected', disconnected + 1); // after the hub's 500 ms disconnect timeout
    expect((await telemetry.histogram('signalr.server.connection.duration', timedOut))?.count).toBe(before + 1);
  });

  it('counts a client dropped for reading too slowly', async () => {
    const drops = await telemetry.sum('signalr.server.slow_consumer.drops', HUB);
    const slow = await connectHub(url, { transport: HttpTransportType.WebSockets });
    const fast = await connectHub(url, { transport: HttpTransportType.WebSockets });
    fast.on('flood', () => {});
    slow.on('flood', () => {});
    const slowClosed = closed(slow);
    const socket = (
      slow as unknown as { connection: { transport: { _webSocket: { _socket: { pause(): void; resume(): void } } } } }
    ).connection.transport._webSocket._socket;
    socket.pause(); // the slow client stops reading

    for (let batch = 0; (await telemetry.sum('signalr.server.slow_consumer.drops', HUB)) === drops; batch++) {
      if (batch === 500) throw new Error('The slow client was not dropped.');
      await fast.invoke('flood', 32 * 1024, 8);
    }
    expect(await telemetry.sum('signalr.server.slow_consumer.drops', HUB)).toBe(drops + 1);
    socket.resume();
    expect((await slowClosed)?.message).toContain('Connection closed with an error.');
    expect(await fast.invoke('echo', 'still here')).toBe('still here');
    await leave(fast);
  });

  it('counts backplane publishes, receives and errors per node', async () => {
    const broker = new InMemoryBroker();
    // No presence heartbeat during the test: only the broadcast crosses the broker.
    const backplane = inMemoryBackplane(broker, { heartbeatInterval: 600_000, timeout: 1_000 });
    const nodes = [await startApp(telemetryNode(backplane)), await startApp(telemetryNode(backplane))];
    try {
      const [sender, receiver] = await Promise.all(
        nodes.map((node) => connectHub(`${node.url}/telemetry`, { transport: HttpTransportType.WebSockets })),
      );
      const inbox = new Inbox(receiver, 'flood');
      sender.on('flood', () => {});
      await Promise.all(nodes.map((node) => node.app.get(LifecycleLog).waitFor('connected', 1)));
      const traffic = async () => {
        const found = (await telemetry.collect()).get('signalr.server.backplane.publishes')!;
        const points = found.dataPoints.filter((point) => point.attributes['signalr.backplane'] === 'in-memory');
        const ids = points.map((point) => point.attributes['signalr.backplane.node'] as string);
        const read = async (name: string, node: string) =>
          telemetry.sum(name, { 'signalr.backplane': 'in-memory', 'signalr.backplane.node': node });
        return Promise.all(
          ids.map(async (node) => ({
            node,
            publishes: await read('signalr.server.backplane.publishes', node),
            receives: await read('signalr.server.backplane.receives', node),
            errors: await read('signalr.server.backplane.errors', node),
          })),
        );
      };
      const before = await traffic();
      expect(before).toHaveLength(2);

      await sender.invoke('flood', 8, 1); // to everyone, on both nodes
      await inbox.next();
      const after = await traffic();
      const delta = after.map((now) => {
        const then = before.find((b) => b.node === now.node)!;
        return {
          publishes: now.publishes - then.publishes,
          receives: now.receives - then.receives,
          errors: now.errors - then.errors,
        };
      });
      expect(delta).toEqual(
        expect.arrayContaining([
          { publishes: 1, receives: 0, errors: 0 },
          { publishes: 0, receives: 1, errors: 0 },
        ]),
      );

      broker.stop(); // the broker goes away: a broadcast to other nodes is dropped
      await sender.invoke('flood', 8, 1);
      const dropped = await traffic();
      expect(
        dropped.map((now) => now.errors - after.find((a) => a.node === now.node)!.errors).sort((a, b) => a - b),
      ).toEqual([0, 1]);
      broker.start();
      await Promise.all([sender.stop(), receiver.stop()]);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
    }
  });
});
