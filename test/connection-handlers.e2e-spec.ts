import { HttpTransportType, LogLevel, TransferFormat } from '@microsoft/signalr';
import { Module } from '@nestjs/common';
import {
  ConnectionContext,
  ConnectionHandler,
  type ConnectionHandlerEndpoint,
  HttpTransportType as ServerTransportType,
  HubAuthorize,
  type OnConnection,
  SignalRModule,
} from 'nest-signalr';
import { WebSocketServer } from '@nestjs/websockets';
import request from 'supertest';
import WebSocket from 'ws';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { HttpConnection } from './support/http-connection.js';
import { TRANSPORTS } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';

type Received = string | ArrayBuffer;

/** An official HttpConnection that collects what it receives and how it closed. */
class Client {
  readonly received: Received[] = [];
  readonly closed: Promise<Error | undefined>;
  private waiters: (() => void)[] = [];

  constructor(
    readonly connection: HttpConnection,
    private readonly format = TransferFormat.Text,
  ) {
    connection.onreceive = (data) => {
      this.received.push(data);
      this.waiters.splice(0).forEach((wake) => wake());
    };
    this.closed = new Promise((resolve) => (connection.onclose = resolve));
  }

  static async start(
    url: string,
    options: ConstructorParameters<typeof HttpConnection>[1] = {},
    format?: TransferFormat,
  ) {
    const client = new Client(new HttpConnection(url, { logger: LogLevel.None, ...options }), format);
    await client.connection.start(client.format);
    return client;
  }

  /** Resolves once `count` messages in all have arrived. */
  async receivedCount(count: number): Promise<Received[]> {
    while (this.received.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received;
  }

  /** What arrived as text, joined: the server may send several echoes in one poll response. */
  text(): string {
    return this.received.filter((message) => typeof message === 'string').join('');
  }
}

/** A WebSocket constructor whose sockets can never connect: the client must fall back. */
class UnreachableWebSocket extends WebSocket {
  constructor(url: string, ...rest: unknown[]) {
    super(url.replace(/^ws:\/\/[^/]+/, 'ws://127.0.0.1:1'), ...(rest as []));
  }
}

/** The name of the transport the client ended up with (the client keeps it in a private field). */
function transportOf(client: Client): string | undefined {
  return (client.connection as unknown as { transport?: object }).transport?.constructor.name;
}

const BINARY_TRANSPORTS = TRANSPORTS.filter(([name]) => name !== 'ServerSentEvents');

/**
 * Connection handlers (ASP.NET Core's `MapConnectionHandler`): the official
 * client's HttpConnection, below HubConnection, exchanges plain messages with
 * the demo's echo handler at /echo over every transport.
 */
describe.each(HTTP_PLATFORMS)('connection handlers on %s', (platform) => {
  let server: RunningApp;
  const clients: Client[] = [];
  const start = async (...args: Parameters<typeof Client.start>) => {
    const client = await Client.start(...args);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startApp(DemoModule, platform);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.connection.stop()));
  });
  afterAll(() => server.close());

  it.each(TRANSPORTS)('echoes text over %s', async (_name, transport) => {
    const client = await start(`${server.url}/echo`, { transport });
    await client.connection.send('hello');
    await client.connection.send('wörld ✓');
    while (client.text().length < 'hellowörld ✓'.length) await client.receivedCount(client.received.length + 1);
    expect(client.text()).toBe('hellowörld ✓');
    expect(client.received.every((message) => typeof message === 'string')).toBe(true);
  });

  it.each(BINARY_TRANSPORTS)('echoes binary data byte for byte over %s', async (_name, transport) => {
    const client = await start(`${server.url}/echo`, { transport }, TransferFormat.Binary);
    const bytes = new Uint8Array(300).map((_, i) => (i * 7) % 256);
    await client.connection.send(bytes.buffer);
    const [echo] = await client.receivedCount(1);
    expect(echo).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(echo as ArrayBuffer)).toEqual(bytes);
  });

  it('falls back to Server-Sent Events for text, and to long polling for binary, when WebSockets fail', async () => {
    const options = { WebSocket: UnreachableWebSocket } as ConstructorParameters<typeof HttpConnection>[1];
    const text = await start(`${server.url}/echo`, options);
    expect(transportOf(text)).toBe('ServerSentEventsTransport');
    await text.connection.send('fallback');
    expect(await text.receivedCount(1)).toEqual(['fallback']);

    const binary = await start(`${server.url}/echo`, options, TransferFormat.Binary);
    expect(transportOf(binary)).toBe('LongPollingTransport');
    await binary.connection.send(new Uint8Array([1, 2, 3]).buffer);
    expect(new Uint8Array((await binary.receivedCount(1))[0] as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
  });

  // (The client stops without waiting for the server's Close frame: close-codes.e2e-spec.ts checks its code.)
  it('lets a client stop over WebSockets without a close error', async () => {
    const client = await Client.start(`${server.url}/echo`, { transport: HttpTransportType.WebSockets });
    await client.connection.stop();
    expect(await client.closed).toBeUndefined();
  });

  it('serves /ECHO too, and negotiate as for hubs', async () => {
    const client = await start(`${server.url}/ECHO`, { transport: HttpTransportType.LongPolling });
    await client.connection.send('any case');
    expect(await client.receivedCount(1)).toEqual(['any case']);
    const { body } = await request(server.url).post('/echo/negotiate?negotiateVersion=1').expect(200);
    expect(body).toMatchObject({ negotiateVersion: 1, connectionId: expect.any(String) });
    expect(body.availableTransports.map((t: { transport: string }) => t.transport)).toEqual([
      'WebSockets',
      'ServerSentEvents',
      'LongPolling',
    ]);
  });
});

/** What the recording handler saw of each connection. */
interface Seen {
  transport: string;
  user: unknown;
  tenant: string | null;
  ended: boolean;
}

const seen: Seen[] = [];
let seenWaiters: (() => void)[] = [];
const untilEnded = async (count: number) => {
  while (seen.filter((entry) => entry.ended).length < count) {
    await new Promise<void>((resolve) => seenWaiters.push(resolve));
  }
};

/**
 * Records each connection, answers its first message by what it asks for
 * ("close": return; "fail": throw; otherwise echo), and records when its
 * input ended.
 */
@ConnectionHandler('/record', { cors: { origin: ['http://allowed.example'] } })
class RecordingHandler implements OnConnection {
  @WebSocketServer()
  endpoint!: ConnectionHandlerEndpoint;

  async onConnected(connection: ConnectionContext) {
    const entry: Seen = {
      transport: ServerTransportType[connection.transportType],
      user: connection.user,
      tenant: connection.request.query.get('tenant'),
      ended: false,
    };
    seen.push(entry);
    try {
      for await (const message of connection.input) {
        if (message === 'close') return;
        if (message === 'fail') throw new Error('the handler failed');
        await connection.send(message);
      }
    } finally {
      entry.ended = true;
      seenWaiters.splice(0).forEach((wake) => wake());
    }
  }
}

@HubAuthorize()
@ConnectionHandler('/private')
class PrivateHandler implements OnConnection {
  async onConnected(connection: ConnectionContext) {
    await connection.send(`hello ${connection.userIdentifier}`);
    for await (const _ of connection.input);
  }
}

@Module({
  imports: [
    SignalRModule.forRoot({
      authenticate: ({ token }) => (token ? { sub: token } : undefined),
    }),
  ],
  providers: [RecordingHandler, PrivateHandler],
})
class HandlersModule {}

describe.each(HTTP_PLATFORMS)('connection handler lifetime on %s', (platform) => {
  let server: RunningApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startApp(HandlersModule, platform);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.connection.stop()));
    seen.length = 0;
    seenWaiters = [];
  });
  afterAll(() => server.close());

  it.each(TRANSPORTS)(
    'sees the request and transport, and its input ends when the client stops, over %s',
    async (name, transport) => {
      const client = await Client.start(`${server.url}/record?tenant=acme`, { transport });
      await client.connection.send('ping');
      expect(await client.receivedCount(1)).toEqual(['ping']);
      expect(seen).toEqual([{ transport: name, user: undefined, tenant: 'acme', ended: false }]);
      await client.connection.stop();
      await untilEnded(1);
      expect(await client.closed).toBeUndefined();
    },
  );

  it('closes a WebSocket with 1000 when onConnected returns, and with 1011 when it throws', async () => {
    const returning = await Client.start(`${server.url}/record`, { transport: HttpTransportType.WebSockets });
    await returning.connection.send('close');
    expect(await returning.closed).toBeUndefined();

    const throwing = await Client.start(`${server.url}/record`, { transport: HttpTransportType.WebSockets });
    await throwing.connection.send('fail');
    expect(await throwing.closed).toEqual(new Error('WebSocket closed with status code: 1011 (no reason given).'));
  });

  it('ends a long-polling client when onConnected returns', async () => {
    const client = await Client.start(`${server.url}/record`, { transport: HttpTransportType.LongPolling });
    await client.connection.send('close');
    expect(await client.closed).toBeUndefined();
  });

  it('authenticates as hubs do: anonymous clients get 401, others reach onConnected as their user', async () => {
    await request(server.url).post('/private/negotiate?negotiateVersion=1').expect(401);
    for (const [, transport] of TRANSPORTS) {
      const client = await Client.start(`${server.url}/private`, { transport, accessTokenFactory: () => 'ann' });
      clients.push(client);
      expect(await client.receivedCount(1)).toEqual(['hello ann']);
    }
  });

  it('answers CORS preflights with its own policy', async () => {
    const response = await request(server.url)
      .options('/record/negotiate')
      .set('Origin', 'http://allowed.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://allowed.example');
  });
});
