import type { HubConnection } from '@microsoft/signalr';
import request from 'supertest';
import WebSocket from 'ws';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { CLIENT_VARIANTS } from './support/client-variants.js';
import { connectHub, Inbox } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';

describe.each(HTTP_PLATFORMS)('demo app on %s', (platform) => {
  let server: RunningApp;
  let hubUrl: string;
  const connections: HubConnection[] = [];

  async function tokenFor(user: string): Promise<string> {
    const response = await request(server.url).post('/api/token').send({ user }).expect(200);
    return response.body.token;
  }

  /**
   * Delivery to one connection is ordered: once its own invocation has
   * completed, anything sent to it before has arrived. So a client that got no
   * message by then never will.
   */
  const barrier = (connection: HubConnection) => connection.invoke('RemoveFromGroup', 'barrier');

  beforeAll(async () => {
    server = await startApp(DemoModule, platform);
    hubUrl = `${server.url}/chatHub`;
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  describe.each(CLIENT_VARIANTS)('over $name', ({ options }) => {
    async function connect(accessToken?: string) {
      const connection = await connectHub(hubUrl, { ...options, accessToken });
      connections.push(connection);
      return { connection, inbox: new Inbox(connection, 'ReceiveMessage') };
    }

    it('two clients chat through SendMessage', async () => {
      const alice = await connect();
      const bob = await connect();
      await alice.connection.invoke('SendMessage', 'alice', 'hello bob');
      expect(await bob.inbox.next()).toEqual(['alice', 'hello bob']);
      expect(await alice.inbox.next()).toEqual(['alice', 'hello bob']);
    });

    it('sends to group members only, until they leave', async () => {
      const member = await connect();
      const outsider = await connect();
      await member.connection.invoke('AddToGroup', 'room');
      await outsider.connection.invoke('SendToGroup', 'room', 'outsider', 'hi room');
      expect(await member.inbox.next()).toEqual(['outsider', 'hi room']);
      await barrier(outsider.connection);
      expect(outsider.inbox.received).toEqual([]);

      await member.connection.invoke('RemoveFromGroup', 'room');
      await outsider.connection.invoke('SendToGroup', 'room', 'outsider', 'anyone?');
      await barrier(member.connection);
      expect(member.inbox.received).toHaveLength(1);
    });

    it('sends direct messages to every connection of a user, from the signed-in sender', async () => {
      const aliceToken = await tokenFor('alice');
      const alicePhone = await connect(aliceToken);
      const aliceLaptop = await connect(aliceToken);
      const bob = await connect(await tokenFor('bob'));
      await bob.connection.invoke('SendToUser', 'alice', 'psst');
      expect(await alicePhone.inbox.next()).toEqual(['bob', 'psst']);
      expect(await aliceLaptop.inbox.next()).toEqual(['bob', 'psst']);
      await barrier(bob.connection);
      expect(bob.inbox.received).toEqual([]);
    });

    it('refuses direct messages from an anonymous caller', async () => {
      const anonymous = await connect();
      await expect(anonymous.connection.invoke('SendToUser', 'alice', 'hi')).rejects.toThrow(
        "An unexpected error occurred invoking 'SendToUser' on the server. HubException: Sign in to send direct messages.",
      );
    });

    it('broadcasts from a service through the injected hub context', async () => {
      const first = await connect();
      const second = await connect();
      await request(server.url).post('/api/broadcast').send({ message: 'maintenance at noon' }).expect(200);
      expect(await first.inbox.next()).toEqual(['system', 'maintenance at noon']);
      expect(await second.inbox.next()).toEqual(['system', 'maintenance at noon']);
    });

    it('streams Counter to the client', async () => {
      const { connection } = await connect();
      const items = await new Promise<number[]>((resolve, reject) => {
        const received: number[] = [];
        connection.stream<number>('Counter', 3, 1).subscribe({
          next: (item) => received.push(item),
          complete: () => resolve(received),
          error: reject,
        });
      });
      expect(items).toEqual([0, 1, 2]);
    });
  });

  it('refuses a connection whose token is invalid with 401', async () => {
    await expect(connectHub(hubUrl, { accessToken: 'not-a-jwt' })).rejects.toThrow(/Status code '401'/);
  });

  it('issues tokens, and answers 400 to a missing or empty user', async () => {
    const { body } = await request(server.url).post('/api/token').send({ user: 'carol' }).expect(200);
    expect(body.token).toEqual(expect.any(String));
    await request(server.url).post('/api/token').send({}).expect(400);
    await request(server.url).post('/api/token').send({ user: '' }).expect(400);
  });

  it('echoes text and binary frames on the plain /ws gateway', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const replies: { data: Buffer; isBinary: boolean }[] = [];
    const twoReplies = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer, isBinary) => replies.push({ data, isBinary }) === 2 && resolve()),
    );
    socket.send('hello');
    socket.send(Buffer.from([0, 1, 2, 255]));
    await twoReplies;
    socket.close();
    expect(replies[0]).toEqual({ data: Buffer.from('hello'), isBinary: false });
    expect(replies[1]).toEqual({ data: Buffer.from([0, 1, 2, 255]), isBinary: true });
  });
});
