import {
  HttpTransportType,
  type HubConnection,
  HubConnectionBuilder,
  JsonHubProtocol,
  LogLevel,
} from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import request from 'supertest';
import WebSocket from 'ws';
import { ConnectionState } from '../libs/signalr/src/hub/hub-connection-context.js';
import { type ConnectionLog, shortWindow, stateful, stateless, upgradeGate } from './fixtures/reconnect.hub.js';
import { closed, connectHub, type HubClientOptions, Inbox, TRANSPORTS } from './support/hub-client.js';
import { clientWebSocket, dropClientSocket, dropServerSocket } from './support/drop-socket.js';
import { readText } from './support/raw-http.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { ReconnectModule } from './fixtures/reconnect.hub.js';

const RS = '\x1e';
const WEBSOCKETS: HubClientOptions = { transport: HttpTransportType.WebSockets };

describe('stateful reconnect', () => {
  let server: RunningApp;
  /** Request URLs of every WebSocket upgrade the server got. */
  const upgrades: string[] = [];
  const clients: HubConnection[] = [];

  beforeAll(async () => {
    server = await startApp(ReconnectModule);
    server.app.getHttpServer().on('upgrade', (req: { url: string }) => upgrades.push(req.url));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.stop()));
  });
  afterAll(() => server.close());

  async function connect(path: string, options: HubClientOptions = {}): Promise<HubConnection> {
    const client = await connectHub(`${server.url}${path}`, { ...WEBSOCKETS, ...options });
    clients.push(client);
    return client;
  }

  /** Upgrades that carried this connection's token (the client's first WebSocket, then its reconnects). */
  function upgradesOf(token: string): number {
    return upgrades.filter((url) => new URL(url, server.url).searchParams.get('id') === token).length;
  }

  function tokenOf(client: HubConnection): string {
    const url: string = (client as unknown as { connection: { transport: { _webSocket: { url: string } } } }).connection
      .transport._webSocket.url;
    return new URL(url).searchParams.get('id')!;
  }

  describe('over WebSockets, with the official client', () => {
    it('a drop while the server sends 1,000 messages: all arrive in order, once, on the same connection', async () => {
      const client = await connect('/stateful', { statefulReconnect: true });
      const token = tokenOf(client);
      const firstSocket = clientWebSocket(client);
      const numbers: number[] = [];
      const connectionIds = new Set<unknown>();
      let closes = 0;
      client.onclose(() => closes++);
      client.on('Number', (n: number, connectionId: string) => {
        numbers.push(n);
        connectionIds.add(connectionId);
        // The network goes away under the client in the middle of the sends.
        if (n === 300) dropClientSocket(client);
      });

      // The Completion comes after every message: once it is here, all of them are.
      expect(await client.invoke('Count', 1000)).toBe(1000);

      expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect([...connectionIds]).toEqual([client.connectionId]);
      // The client resumed over a second WebSocket with the same token...
      expect(clientWebSocket(client)).not.toBe(firstSocket);
      expect(upgradesOf(token)).toBe(2);
      // ...and the server saw one connection that never disconnected. The
      // client sent its unacknowledged Count again after the reconnect: had
      // the server run it twice, 2,000 numbers would have come.
      expect(stateful.log.connected.filter((id) => id === client.connectionId)).toHaveLength(1);
      expect(stateful.log.disconnected.map((entry) => entry.connectionId)).not.toContain(client.connectionId);
      expect(closes).toBe(0);
      expect(await client.invoke('Echo', 'still here')).toBe('still here');
    });

    it('the same over MessagePack', async () => {
      const client = await connect('/stateful', { statefulReconnect: true, protocol: new MessagePackHubProtocol() });
      const numbers: number[] = [];
      client.on('Number', (n: number) => {
        numbers.push(n);
        if (n === 300) dropClientSocket(client);
      });
      expect(await client.invoke('Count', 1000)).toBe(1000);
      expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(upgradesOf(tokenOf(client))).toBe(2);
    });

    it('what the client sends around a drop reaches the hub once each, in order', async () => {
      const client = await connect('/stateful', { statefulReconnect: true });
      const sends: Promise<void>[] = [];
      for (let n = 1; n <= 100; n++) sends.push(client.send('Record', n));
      // The hub has run those 100; the server acknowledges about once a second, so not yet.
      expect(await client.invoke('Echo', 'barrier')).toBe('barrier');
      dropClientSocket(client);
      // The client sends the unacknowledged ones again after its reconnect, then these.
      for (let n = 101; n <= 200; n++) sends.push(client.send('Record', n));
      await Promise.all(sends);
      expect(await client.invoke('Recorded')).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(upgradesOf(tokenOf(client))).toBe(2);
    });

    it('the same drop seen first by the server: every message arrives once, in order', async () => {
      const client = await connect('/stateful', { statefulReconnect: true });
      const numbers: number[] = [];
      client.on('Number', (n: number) => {
        numbers.push(n);
        if (n === 500) dropServerSocket(stateful.log.connection(client.connectionId!));
      });
      expect(await client.invoke('Count', 1000)).toBe(1000);
      expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(upgradesOf(tokenOf(client))).toBe(2);
    });

    it('keeps groups, items and user across the window, and delivers what was sent meanwhile once', async () => {
      const member = await connect('/stateful', { statefulReconnect: true });
      const bystander = await connect('/stateful', { statefulReconnect: true });
      const memberInbox = new Inbox(member, 'Group');
      const bystanderInbox = new Inbox(bystander, 'Group');
      await member.invoke('Join', 'room');
      expect(await member.invoke('Items')).toBe(1);
      const connection = stateful.log.connection(member.connectionId!);

      const gate = upgradeGate.arm();
      dropServerSocket(connection);
      // The client's reconnect is being authenticated: the connection waits, still a member.
      await gate.entered;
      expect(connection.state).toBe(ConnectionState.Reconnecting);
      expect(stateful.log.connection(member.connectionId!)).toBe(connection);
      expect(stateful.log.lifetimeManager.hasGroup('room')).toBe(true);
      for (let i = 1; i <= 5; i++) await stateful.log.endpoint.clients.group('room').send('Group', `while down ${i}`);
      gate.open();

      for (let i = 1; i <= 5; i++) expect(await memberInbox.next()).toEqual([`while down ${i}`]);
      expect(await member.invoke('Items')).toBe(2);
      await member.invoke('SendToGroup', 'room', 'after');
      expect(await memberInbox.next()).toEqual(['after']);
      expect(memberInbox.received).toHaveLength(6);
      // Barrier: the bystander, in no group, gets nothing of it.
      await bystander.invoke('Join', 'other');
      await bystander.invoke('SendToGroup', 'other', 'barrier');
      expect(await bystanderInbox.next()).toEqual(['barrier']);
      expect(bystanderInbox.received).toEqual([['barrier']]);
      expect(stateful.log.disconnected.map((entry) => entry.connectionId)).not.toContain(member.connectionId);

      // A clean stop ends the resumed connection for good.
      const memberId = member.connectionId!;
      await member.stop();
      expect(await stateful.log.untilDisconnected(memberId)).toBeUndefined();
      expect(stateful.log.lifetimeManager.hasGroup('room')).toBe(false);
    });

    it('the server acknowledges what the client sent, so the client lets go of it', async () => {
      const client = await connect('/stateful', { statefulReconnect: true });
      const buffer = (client as unknown as { _messageBuffer: { _messages: unknown[] } })._messageBuffer;
      await client.invoke('Echo', 1);
      await client.send('Echo', 2);
      // The heartbeat sends an Ack within about a second; polled, since the client announces nothing.
      for (let i = 0; i < 300 && buffer._messages.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(buffer._messages).toHaveLength(0);
    });

    it("resumes only as the connection's own user: another user's token gets 403", async () => {
      let token = 'alice';
      const client = new HubConnectionBuilder()
        .withUrl(`${server.url}/stateful`, { ...WEBSOCKETS, accessTokenFactory: () => token })
        .withStatefulReconnect()
        .configureLogging(LogLevel.None)
        .build();
      clients.push(client);
      await client.start();
      const wsToken = tokenOf(client);
      const connection = stateful.log.connection(client.connectionId!);

      // The client asks for a token again for its reconnect: alice's still.
      dropClientSocket(client);
      expect(await client.invoke('Whoami')).toBe('alice');
      expect(upgradesOf(wsToken)).toBe(2);

      token = 'mallory';
      const clientClosed = closed(client);
      dropClientSocket(client);
      await clientClosed;
      expect(upgradesOf(wsToken)).toBe(3);
      // Refused: the connection still waits for alice (the window is 15 s here).
      expect(connection.state).toBe(ConnectionState.Reconnecting);
      expect(stateful.log.connection(connection.connectionId)).toBe(connection);
      // The server may end it meanwhile: it is gone at once.
      connection.abort();
      expect(await stateful.log.untilDisconnected(connection.connectionId)).toBeUndefined();
      expect(stateful.log.connection(connection.connectionId)).toBeUndefined();
    });

    it('a Sequence beyond what the server received closes the connection with an error', async () => {
      const { body } = await request(server.url)
        .post('/stateful/negotiate?negotiateVersion=1&useStatefulReconnect=true')
        .expect(200);
      const raw = await RawHubSocket.open(`${server.url}/stateful?id=${body.connectionToken}`);
      raw.send({ protocol: 'json', version: 2 });
      expect(await raw.next()).toEqual({});
      raw.send({ type: 1, invocationId: '1', target: 'Echo', arguments: ['a'] });
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1', result: 'a' });
      // One message received: the next is 2, a client cannot resend from 3.
      raw.send({ type: 9, sequenceId: 3 });
      expect(await raw.nextNonPing()).toEqual({
        type: 7,
        error: 'Connection closed with an error.',
        allowReconnect: true,
      });
      expect(await stateful.log.untilDisconnected(body.connectionId)).toBe(
        "Sequence ID greater than amount of messages we've received.",
      );
      await raw.closed;
    });

    it('a second WebSocket for a connection whose WebSocket is open gets 409', async () => {
      const { body } = await request(server.url)
        .post('/stateful/negotiate?negotiateVersion=1&useStatefulReconnect=true')
        .expect(200);
      const url = `${server.url.replace('http', 'ws')}/stateful?id=${body.connectionToken}`;
      const first = new WebSocket(url);
      await new Promise((resolve) => first.once('open', resolve));
      first.send(JSON.stringify({ protocol: 'json', version: 2 }) + RS);
      await new Promise((resolve) => first.once('message', resolve));
      const second = new WebSocket(url);
      const status = await new Promise((resolve) =>
        second.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
      );
      expect(status).toBe(409);
      first.close();
      await new Promise((resolve) => first.once('close', resolve));
    });
  });

  describe('the end of a connection', () => {
    it('a client that does not come back within disconnectTimeout is gone: onDisconnected, groups and tokens freed', async () => {
      const client = await connect('/short-window', { statefulReconnect: true });
      const id = client.connectionId!;
      const token = tokenOf(client);
      const clientClosed = closed(client);
      await client.invoke('Join', 'room');
      const gate = upgradeGate.arm();
      dropServerSocket(shortWindow.log.connection(id));
      await gate.entered;
      expect(shortWindow.log.state()).toEqual({ connections: 1, lifetime: 1, groups: 1, tokens: 1, negotiated: 0 });

      // The window (1 s) passes while the reconnect waits at the gate.
      expect(await shortWindow.log.untilDisconnected(id)).toBeUndefined();
      expect(shortWindow.log.state()).toEqual({ connections: 0, lifetime: 0, groups: 0, tokens: 0, negotiated: 0 });
      // Too late: the reconnect finds no connection (404), and the client closes.
      gate.open();
      await clientClosed;
      expect(upgradesOf(token)).toBe(2);
    });

    it('a buffer overflow while the socket is down ends the connection instead of growing the buffer', async () => {
      const client = await connect('/short-window', { statefulReconnect: true });
      const id = client.connectionId!;
      const clientClosed = closed(client);
      const connection = shortWindow.log.connection(id);
      const gate = upgradeGate.arm();
      dropServerSocket(connection);
      await gate.entered;

      // 100 messages of some 150 bytes for a buffer of 2,000 bytes.
      let sent = 0;
      for (; sent < 100 && shortWindow.log.lifetimeManager.getConnection(id); sent++) {
        await shortWindow.log.endpoint.clients.client(id).send('Big', 'x'.repeat(100));
      }
      // The connection ended at the message that overflowed (the 14th), and let go of what it held.
      expect(sent).toBe(14);
      expect(connection.state).toBe(ConnectionState.Disconnected);
      expect(connection.messageBuffer!.bufferedBytes).toBe(0);
      expect(await shortWindow.log.untilDisconnected(id)).toBe(
        'More than 2000 bytes were waiting for the client to acknowledge them.',
      );
      expect(shortWindow.log.state()).toEqual({ connections: 0, lifetime: 0, groups: 0, tokens: 0, negotiated: 0 });
      gate.open();
      await clientClosed;
    });

    it('a buffer overflow on an open connection closes it with an error Close', async () => {
      const client = await connect('/short-window', { statefulReconnect: true });
      const id = client.connectionId!;
      const clientClosed = closed(client);
      // Some 2,000 bytes of numbers at once: more than the client can acknowledge in time.
      await expect(client.invoke('Count', 100)).rejects.toThrow();
      expect(await shortWindow.log.untilDisconnected(id)).toBe(
        'More than 2000 bytes were waiting for the client to acknowledge them.',
      );
      expect((await clientClosed)?.message).toBe('Server returned an error on close: Connection closed with an error.');
      expect(shortWindow.log.state()).toEqual({ connections: 0, lifetime: 0, groups: 0, tokens: 0, negotiated: 0 });
    });
  });

  describe('automatic reconnect (a new connection)', () => {
    it('after a drop the client reconnects with a new connection id and rejoins its group', async () => {
      const client = await connect('/stateless', { automaticReconnect: [0] });
      const inbox = new Inbox(client, 'Group');
      const oldId = client.connectionId!;
      await client.invoke('Join', 'lobby');
      const reconnected = new Promise<string | undefined>((resolve) =>
        client.onreconnected(async (id) => {
          // As the demo page does: a new connection has no groups.
          await client.invoke('Join', 'lobby');
          resolve(id);
        }),
      );
      dropClientSocket(client);
      const newId = await reconnected;
      expect(newId).toBeDefined();
      expect(newId).not.toBe(oldId);
      expect(await stateless.log.untilDisconnected(oldId)).toBeUndefined();
      await client.invoke('SendToGroup', 'lobby', 'back');
      expect(await inbox.next()).toEqual(['back']);
      expect(stateless.log.lifetimeManager.getConnection(oldId)).toBeUndefined();
    });
  });

  describe('where ASP.NET Core leaves it off', () => {
    it('negotiate offers it only when the hub allows it and the client asks', async () => {
      const offered = await request(server.url)
        .post('/stateful/negotiate?negotiateVersion=1&useStatefulReconnect=true')
        .expect(200);
      expect(Object.keys(offered.body)).toEqual([
        'useStatefulReconnect',
        'negotiateVersion',
        'connectionId',
        'connectionToken',
        'availableTransports',
      ]);
      expect(offered.body.useStatefulReconnect).toBe(true);
      // The name and value as ASP.NET Core reads them (case-insensitively).
      const pascal = await request(server.url).post('/stateful/negotiate?negotiateVersion=1&UseStatefulReconnect=True');
      expect(pascal.body.useStatefulReconnect).toBe(true);

      const notAsked = await request(server.url).post('/stateful/negotiate?negotiateVersion=1').expect(200);
      expect(notAsked.body).not.toHaveProperty('useStatefulReconnect');
      const notTrue = await request(server.url).post('/stateful/negotiate?negotiateVersion=1&useStatefulReconnect=yes');
      expect(notTrue.body).not.toHaveProperty('useStatefulReconnect');
      const notAllowed = await request(server.url)
        .post('/stateless/negotiate?negotiateVersion=1&useStatefulReconnect=true')
        .expect(200);
      expect(notAllowed.body).not.toHaveProperty('useStatefulReconnect');
      expect(notAllowed.body.connectionToken).toBeDefined();
    });

    /** Drops the client's socket: the connection ends on the server, and the client closes. */
    async function expectDropEnds(client: HubConnection, log: ConnectionLog): Promise<void> {
      const id = client.connectionId!;
      const clientClosed = closed(client);
      dropClientSocket(client);
      expect(await log.untilDisconnected(id)).toBeUndefined();
      await clientClosed;
      expect(log.lifetimeManager.getConnection(id)).toBeUndefined();
    }

    it('a hub that does not allow it: the client gets a plain connection, which a drop ends', async () => {
      const client = await connect('/stateless', { statefulReconnect: true });
      expect(stateless.log.connection(client.connectionId!).messageBuffer).toBeUndefined();
      await expectDropEnds(client, stateless.log);
    });

    it('a client that does not ask: a drop ends the connection', async () => {
      const client = await connect('/stateful');
      expect(stateful.log.connection(client.connectionId!).messageBuffer).toBeUndefined();
      await expectDropEnds(client, stateful.log);
    });

    it('handshake version 1 leaves it off even when negotiated: the reconnect finds no connection', async () => {
      // The official JSON protocol, reporting version 1 (as an older protocol implementation would).
      const protocol = Object.assign(new JsonHubProtocol(), { version: 1 });
      const client = await connect('/stateful', { statefulReconnect: true, protocol });
      const token = tokenOf(client);
      expect(stateful.log.connection(client.connectionId!).messageBuffer).toBeUndefined();
      await expectDropEnds(client, stateful.log);
      // The client tried its one reconnect with the token: 404.
      expect(upgradesOf(token)).toBe(2);
    });

    it.each(TRANSPORTS.filter(([name]) => name !== 'WebSockets'))(
      'over %s the official client asks for it, gets it in negotiate, and the connection goes on without it',
      async (_name, transport) => {
        const client = await connect('/stateful', { statefulReconnect: true, transport });
        expect(stateful.log.connection(client.connectionId!).messageBuffer).toBeUndefined();
        expect(await client.invoke('Echo', 'plain')).toBe('plain');
      },
    );

    it('over long polling even a handshake of version 2 leaves it off', async () => {
      const { body } = await request(server.url)
        .post('/stateful/negotiate?negotiateVersion=1&useStatefulReconnect=true')
        .expect(200);
      expect(body.useStatefulReconnect).toBe(true);
      const path = `/stateful?id=${body.connectionToken}`;
      await request(server.url).get(path).expect(200);
      await request(server.url)
        .post(path)
        .send(JSON.stringify({ protocol: 'json', version: 2 }) + RS)
        .expect(200);
      const poll = await request(server.url).get(path).buffer(true).parse(readText).expect(200);
      expect(poll.body).toBe('{}' + RS);
      expect(stateful.log.connection(body.connectionId).messageBuffer).toBeUndefined();
      await request(server.url).delete(path).expect(202);
      await stateful.log.untilDisconnected(body.connectionId);
    });

    it('a stateful connection takes no transport but WebSockets after a drop', async () => {
      const client = await connect('/stateful', { statefulReconnect: true });
      const token = tokenOf(client);
      const gate = upgradeGate.arm();
      dropServerSocket(stateful.log.connection(client.connectionId!));
      await gate.entered;
      const path = `/stateful?id=${token}`;
      expect((await request(server.url).get(path).expect(400)).text).toBe('Cannot change transports mid-connection');
      expect((await request(server.url).post(path).send('x').expect(405)).text).toBe(
        'POST requests are not allowed for WebSocket connections.',
      );
      expect((await request(server.url).delete(path).expect(400)).text).toBe(
        'Cannot terminate this connection using the DELETE endpoint.',
      );
      gate.open();
      expect(await client.invoke('Echo', 'resumed')).toBe('resumed');
    });
  });
});

describe('stateful reconnect on Fastify', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(ReconnectModule, 'fastify');
  });
  afterAll(() => server.close());

  it('a drop while the server sends 1,000 messages: all arrive in order, once, on the same connection', async () => {
    const client = await connectHub(`${server.url}/stateful`, { ...WEBSOCKETS, statefulReconnect: true });
    const numbers: number[] = [];
    const connectionIds = new Set<unknown>();
    client.on('Number', (n: number, connectionId: string) => {
      numbers.push(n);
      connectionIds.add(connectionId);
      if (n === 300) dropClientSocket(client);
    });
    expect(await client.invoke('Count', 1000)).toBe(1000);
    expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect([...connectionIds]).toEqual([client.connectionId]);
    await client.stop();
  });
});
