import { HttpTransportType, type HubConnection } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import request from 'supertest';
import { connectHub, Inbox, TRANSPORTS } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const all = transportHub('/all');
const noWebSockets = transportHub('/noWebSockets', {
  transports: HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling,
});
const longPollingOnly = transportHub('/longPollingOnly', { transports: HttpTransportType.LongPolling });
const TransportsModule = hubsModule([all.hub, noWebSockets.hub, longPollingOnly.hub]);

// The module-wide option restricts every hub that does not set its own.
const global = transportHub('/global');
const GlobalLongPollingModule = hubsModule([global.hub], { transports: HttpTransportType.LongPolling });

const ALL_TRANSPORTS = [
  { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
  { transport: 'ServerSentEvents', transferFormats: ['Text'] },
  { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
];

describe.each(HTTP_PLATFORMS)('transports on %s', (platform) => {
  let server: RunningApp;
  const connections: HubConnection[] = [];

  async function connect(path: string, transport?: HttpTransportType, messagePack = false) {
    const protocol = messagePack ? new MessagePackHubProtocol() : undefined;
    const connection = await connectHub(`${server.url}${path}`, { transport, protocol });
    connections.push(connection);
    return connection;
  }

  async function negotiate(url: string, path: string) {
    const response = await request(url).post(`${path}/negotiate?negotiateVersion=1`).expect(200);
    return response.body.availableTransports;
  }

  beforeAll(async () => {
    server = await startApp(TransportsModule, platform);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it('advertises all three transports with their transfer formats', async () => {
    expect(await negotiate(server.url, '/all')).toEqual(ALL_TRANSPORTS);
  });

  it('advertises only the transports a hub allows', async () => {
    expect(await negotiate(server.url, '/noWebSockets')).toEqual(ALL_TRANSPORTS.slice(1));
    expect(await negotiate(server.url, '/longPollingOnly')).toEqual(ALL_TRANSPORTS.slice(2));
  });

  it.each(TRANSPORTS)('serves a client forced to %s over that transport', async (name, transport) => {
    const connection = await connect('/all', transport);
    expect(await connection.invoke('Echo', { over: name })).toEqual({ over: name });
    expect(all.record.transports.at(-1)).toBe(name);
  });

  it('lets a client that offers every transport fall back to Server-Sent Events without WebSockets', async () => {
    const before = noWebSockets.record.transports.length;
    const connection = await connect('/noWebSockets');
    expect(await connection.invoke('Echo', 1)).toBe(1);
    expect(noWebSockets.record.transports.slice(before)).toEqual(['ServerSentEvents']);
  });

  it('lets it fall back to Long Polling when Server-Sent Events are off too', async () => {
    const before = longPollingOnly.record.transports.length;
    const connection = await connect('/longPollingOnly');
    expect(await connection.invoke('Echo', 2)).toBe(2);
    expect(longPollingOnly.record.transports.slice(before)).toEqual(['LongPolling']);
  });

  it('refuses a client forced to a transport the hub does not allow', async () => {
    await expect(connect('/longPollingOnly', HttpTransportType.WebSockets)).rejects.toThrow(
      'Unable to connect to the server with any of the available transports.',
    );
  });

  it('lets a long-polling client and a WebSockets client talk to each other', async () => {
    const polling = await connect('/all', HttpTransportType.LongPolling);
    const socket = await connect('/all', HttpTransportType.WebSockets);
    const pollingInbox = new Inbox(polling, 'Receive');
    const socketInbox = new Inbox(socket, 'Receive');

    await polling.invoke('Send', 'hello from polling');
    expect(await socketInbox.next()).toEqual(['LongPolling', 'hello from polling']);
    expect(await pollingInbox.next()).toEqual(['LongPolling', 'hello from polling']);

    await socket.invoke('Send', 'hello from the socket');
    expect(await pollingInbox.next()).toEqual(['WebSockets', 'hello from the socket']);
    expect(await socketInbox.next()).toEqual(['WebSockets', 'hello from the socket']);
  });

  it('carries MessagePack over long polling, binary both ways', async () => {
    const polling = await connect('/all', HttpTransportType.LongPolling, true);
    const socket = await connect('/all', HttpTransportType.WebSockets);
    expect(all.record.transports.at(-2)).toBe('LongPolling');
    const bytes = new Uint8Array(5000).map((_, i) => (i * 13) % 256);
    const echoed = await polling.invoke('Echo', bytes);
    expect(Buffer.from(echoed as Uint8Array).equals(Buffer.from(bytes))).toBe(true);

    const socketInbox = new Inbox(socket, 'Receive');
    await polling.invoke('Send', 'from MessagePack');
    expect(await socketInbox.next()).toEqual(['LongPolling', 'from MessagePack']);
  });

  it('lets a MessagePack client skip Server-Sent Events (Text only) and fall back to Long Polling', async () => {
    const before = noWebSockets.record.transports.length;
    const connection = await connect('/noWebSockets', undefined, true);
    expect(await connection.invoke('Echo', 3)).toBe(3);
    expect(noWebSockets.record.transports.slice(before)).toEqual(['LongPolling']);
  });

  it('delivers a burst sent while no poll waits in whole messages, all of them in order', async () => {
    const polling = await connect('/all', HttpTransportType.LongPolling);
    const socket = await connect('/all', HttpTransportType.WebSockets);
    const inbox = new Inbox(polling, 'Receive');
    const burst = Array.from({ length: 200 }, (_, i) => socket.invoke('Send', `message ${i} ${'x'.repeat(i * 10)}`));
    await Promise.all(burst);
    for (let i = 0; i < 200; i++) {
      expect(await inbox.next()).toEqual(['WebSockets', `message ${i} ${'x'.repeat(i * 10)}`]);
    }
  });

  describe('with transports restricted for the whole module', () => {
    let restricted: RunningApp;
    beforeAll(async () => {
      restricted = await startApp(GlobalLongPollingModule, platform);
    });
    afterAll(() => restricted.close());

    it('advertises and uses long polling only', async () => {
      expect(await negotiate(restricted.url, '/global')).toEqual(ALL_TRANSPORTS.slice(2));
      const connection = await connectHub(`${restricted.url}/global`);
      connections.push(connection);
      expect(await connection.invoke('Echo', 'ok')).toBe('ok');
      expect(global.record.transports.at(-1)).toBe('LongPolling');
    });
  });
});
