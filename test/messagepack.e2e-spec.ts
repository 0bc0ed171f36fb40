import { type HubConnection, HttpTransportType, NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import WebSocket from 'ws';
import { connectHub, Inbox } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { PipelineModule } from './fixtures/pipeline.hub.js';
import { SelectorsModule } from './fixtures/selectors.hub.js';

const messagepack = () => new MessagePackHubProtocol();

const BINARY_TRANSPORTS = [
  ['WebSockets', HttpTransportType.WebSockets],
  ['LongPolling', HttpTransportType.LongPolling],
] as const;

describe.each(BINARY_TRANSPORTS)('MessagePack hub protocol over %s', (_name, transport) => {
  let server: RunningApp;
  let open: HubConnection[] = [];

  async function connect(path: string, msgpack = true) {
    const connection = await connectHub(server.url + path, {
      transport,
      protocol: msgpack ? messagepack() : undefined,
    });
    open.push(connection);
    return connection;
  }

  afterEach(async () => {
    await Promise.all(open.map((connection) => connection.stop()));
    open = [];
  });

  describe('with the pipeline hub', () => {
    beforeAll(async () => {
      server = await startApp(PipelineModule);
    });
    afterAll(() => server.close());

    it('invokes methods and gets results', async () => {
      const connection = await connect('/pipeline');
      expect(await connection.invoke('Add', 2, 40)).toBe(42);
      expect(await connection.invoke('Echo', { list: [1, 'two', null], flag: true })).toEqual({
        list: [1, 'two', null],
        flag: true,
      });
      expect(await connection.invoke('Nothing')).toBeUndefined();
    });

    it('round-trips binary arguments byte for byte', async () => {
      const connection = await connect('/pipeline');
      const bytes = new Uint8Array(20_000).map((_, i) => (i * 7) % 256);
      const echoed = await connection.invoke('Echo', bytes);
      expect(echoed).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(echoed as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    });

    it('delivers a Date argument as a Date', async () => {
      const connection = await connect('/pipeline');
      const when = new Date('2026-11-26T08:30:15.250Z');
      const echoed = await connection.invoke('Echo', when);
      expect(echoed).toBeInstanceOf(Date);
      expect((echoed as Date).toISOString()).toBe(when.toISOString());
    });

    it('gives the same error texts as JSON', async () => {
      const connection = await connect('/pipeline');
      await expect(connection.invoke('Missing')).rejects.toThrow(
        "Failed to invoke 'Missing' due to an error on the server. HubException: Method does not exist.",
      );
      await expect(connection.invoke('Add', 1)).rejects.toThrow(
        new Error("Failed to invoke 'Add' due to an error on the server."),
      );
      await expect(connection.invoke('FailForClient')).rejects.toThrow('HubException: you may see this');
      await expect(connection.invoke('AdminOnly')).rejects.toThrow(
        "Failed to invoke 'AdminOnly' because user is unauthorized",
      );
    });
  });

  describe('beside JSON clients', () => {
    beforeAll(async () => {
      server = await startApp(SelectorsModule);
    });
    afterAll(() => server.close());

    it('a JSON client and a MessagePack client receive the same broadcast', async () => {
      const json = await connect('/selectors', false);
      const binary = await connect('/selectors', true);
      const jsonInbox = new Inbox(json, 'Receive');
      const binaryInbox = new Inbox(binary, 'Receive');
      await binary.invoke('All', 'to everyone');
      expect(await jsonInbox.next()).toEqual(['to everyone']);
      expect(await binaryInbox.next()).toEqual(['to everyone']);
    });

    it('groups and users work for MessagePack clients, and non-members get nothing', async () => {
      const member = await connect('/selectors');
      const outsider = await connect('/selectors');
      const memberInbox = new Inbox(member, 'Receive');
      const outsiderInbox = new Inbox(outsider, 'Receive');
      await member.invoke('Join', 'g');
      await outsider.invoke('Group', 'g', 'to g');
      expect(await memberInbox.next()).toEqual(['to g']);
      await outsider.invoke('Barrier');
      expect(outsiderInbox.received).toEqual([]);
    });
  });
});

describe('MessagePack bad frames close only the offending connection', () => {
  let server: RunningApp;
  let bystander: HubConnection;

  beforeAll(async () => {
    server = await startApp(SelectorsModule);
    bystander = await connectHub(`${server.url}/selectors`, { protocol: messagepack() });
  });
  afterAll(async () => {
    await bystander.stop();
    await server.close();
  });

  /** Opens a raw MessagePack connection, sends `frame`, and returns the Close it got. */
  async function sendBadFrame(frame: Buffer) {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/selectors`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const received: unknown[] = [];
    let handshakeDone = false;
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    socket.on('message', (data: Buffer) => {
      let bytes = data;
      if (!handshakeDone) {
        handshakeDone = true;
        bytes = data.subarray(data.indexOf(0x1e) + 1);
        socket.send(frame);
      }
      if (bytes.length > 0) {
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
        received.push(...messagepack().parseMessages(buffer as ArrayBuffer, NullLogger.instance));
      }
    });
    socket.send('{"protocol":"messagepack","version":1}\x1e');
    await closed;
    return received.filter((message) => (message as { type: number }).type !== 6);
  }

  const closedWithError = [{ type: 7, error: 'Connection closed with an error.', allowReconnect: true }];

  it.each([
    ['garbage bytes', Buffer.from([0x05, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1])],
    ['a body that is not an array', Buffer.from([0x01, 0x07])],
    ['a truncated invocation', Buffer.from([0x04, 0x95, 0x01, 0x80, 0xa1])],
    ['a length prefix larger than the maximum receive size', Buffer.from([0xff, 0xff, 0x7f])],
    ['a length prefix of more than 5 bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
  ])('%s', async (_name, frame) => {
    expect(await sendBadFrame(frame)).toMatchObject(closedWithError);
    const inbox = new Inbox(bystander, 'Receive');
    await bystander.invoke('Caller', 'still here');
    expect(await inbox.next()).toEqual(['still here']);
  });
});
