import { randomUUID } from 'node:crypto';
import type { HubConnection } from '@microsoft/signalr';
import request from 'supertest';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { connectHub, Inbox } from './support/hub-client.js';
import { NATS_URL, skipWithoutNats } from './support/nats.js';
import { type RunningApp, startApp } from './support/test-app.js';

const skip = await skipWithoutNats();

describe.skipIf(skip)('demo app on two nodes with NATS_URL', () => {
  let nodes: RunningApp[];
  const connections: HubConnection[] = [];

  async function connect(node: RunningApp, user?: string) {
    const accessToken = user
      ? (await request(node.url).post('/api/token').send({ user }).expect(200)).body.token
      : undefined;
    const connection = await connectHub(`${node.url}/chatHub`, { accessToken });
    connections.push(connection);
    const inbox = new Inbox(connection, 'ReceiveMessage');
    // An invocation completes only after the node has subscribed for the connection.
    await connection.invoke('RemoveFromGroup', 'none');
    return { connection, inbox };
  }

  beforeAll(async () => {
    // The demo reads these when it starts; a prefix of this run's own keeps
    // it apart from anyone else using the same NATS.
    const saved = { redis: process.env.REDIS_URL, url: process.env.NATS_URL, prefix: process.env.NATS_PREFIX };
    delete process.env.REDIS_URL;
    process.env.NATS_URL = NATS_URL;
    process.env.NATS_PREFIX = `demo-test-${randomUUID()}`;
    try {
      nodes = await Promise.all([startApp(DemoModule), startApp(DemoModule)]);
    } finally {
      restore('REDIS_URL', saved.redis);
      restore('NATS_URL', saved.url);
      restore('NATS_PREFIX', saved.prefix);
    }
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => Promise.all(nodes.map((node) => node.close())));

  it('shares one chat, groups, direct messages and service broadcasts between the nodes', async () => {
    const alice = await connect(nodes[0], 'alice');
    const carol = await connect(nodes[0], 'carol');
    const bob = await connect(nodes[1], 'bob');

    await alice.connection.invoke('SendMessage', 'alice', 'hello from node 1');
    for (const client of [alice, bob, carol]) expect(await client.inbox.next()).toEqual(['alice', 'hello from node 1']);

    await bob.connection.invoke('AddToGroup', 'room');
    await alice.connection.invoke('SendToGroup', 'room', 'alice', 'hi room');
    expect(await bob.inbox.next()).toEqual(['alice', 'hi room']);

    await bob.connection.invoke('SendToUser', 'alice', 'psst');
    expect(await alice.inbox.next()).toEqual(['bob', 'psst']);

    await request(nodes[1].url).post('/api/broadcast').send({ message: 'maintenance at noon' }).expect(200);
    for (const client of [alice, bob, carol]) {
      expect(await client.inbox.next()).toEqual(['system', 'maintenance at noon']);
    }

    // Carol, on alice's node, is neither in the room nor alice: a message to
    // all from that node reaches her after anything sent to her before.
    await alice.connection.invoke('SendMessage', 'alice', 'bye');
    expect(await carol.inbox.next()).toEqual(['alice', 'bye']);
    expect(carol.inbox.received).toHaveLength(3);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
