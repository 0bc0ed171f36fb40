import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { IHubProtocol } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { Module } from '@nestjs/common';
import { getHubContextToken, Hub, type HubContext, HubMethod, SignalRModule } from 'nest-signalr';
import { type RedisHubLifetimeManager, redisBackplane } from 'nest-signalr/redis';
import { connectHub } from './support/hub-client.js';
import { REDIS_URL, skipWithoutRedis } from './support/redis.js';
import { barrier, barrierFromContext, connectClient, type NodeClient, texts } from './support/scale-out-clients.js';
import { ScaleOutHub, scaleOutModule } from './fixtures/scale-out.hub.js';
import { type RunningApp, startApp } from './support/test-app.js';

const skip = await skipWithoutRedis();

// Three Nest apps in this process are three nodes; a prefix of their own
// keeps them apart from anyone else using the same Redis.
const CLIENT_RESULT_TIMEOUT = 500;
const backplane = redisBackplane({ url: REDIS_URL, prefix: `test-${randomUUID()}` });
const ScaleOutModule = scaleOutModule(backplane, { clientResultTimeout: CLIENT_RESULT_TIMEOUT });

@Hub('/second')
class SecondHub {
  @HubMethod('Ping')
  ping() {
    return 'pong';
  }
}

@Module({ imports: [SignalRModule.forRoot({ backplane })], providers: [ScaleOutHub, SecondHub] })
class TwoHubsModule {}

describe.skipIf(skip)('Redis backplane: three nodes, one hub', () => {
  let nodeA: RunningApp;
  let nodeB: RunningApp;
  let nodeC: RunningApp;
  const clients: NodeClient[] = [];

  async function connect(node: RunningApp, user?: string, protocol?: IHubProtocol): Promise<NodeClient> {
    const client = await connectClient(node, user, protocol);
    clients.push(client);
    return client;
  }

  function hubContext(node: RunningApp): HubContext {
    return node.app.get<HubContext>(getHubContextToken(ScaleOutHub));
  }

  beforeAll(async () => {
    [nodeA, nodeB, nodeC] = await Promise.all([1, 2, 3].map(() => startApp(ScaleOutModule)));
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.connection.stop()));
  });
  afterAll(async () => {
    await Promise.all([nodeA, nodeB, nodeC].map((node) => node?.close()));
  });

  it('gives each node its own id in the connection ids', async () => {
    const [a, b, c] = [await connect(nodeA), await connect(nodeB), await connect(nodeC)];
    const nodeOf = (client: NodeClient) => client.id.split('.')[1];
    expect(new Set([nodeOf(a), nodeOf(b), nodeOf(c)]).size).toBe(3);
  });

  it('sends to all, others and allExcept across nodes, and not to the excluded', async () => {
    const a1 = await connect(nodeA);
    const a2 = await connect(nodeA);
    const b1 = await connect(nodeB);
    const c1 = await connect(nodeC);
    const everyone = [a1, a2, b1, c1];

    await a1.connection.invoke('SendAll', 'to all');
    for (const client of everyone) expect(await client.received.next()).toEqual(['to all']);

    await a1.connection.invoke('SendOthers', 'to others');
    for (const client of [a2, b1, c1]) expect(await client.received.next()).toEqual(['to others']);
    await barrier(a1, [a1]);
    expect(texts(a1)).toEqual(['to all']);

    await b1.connection.invoke('SendAllExcept', [a2.id, c1.id], 'not to a2 and c1');
    for (const client of [a1, b1]) expect(await client.received.next()).toEqual(['not to a2 and c1']);
    await barrier(b1, [a2, c1]);
    expect(texts(a2)).toEqual(['to all', 'to others']);
    expect(texts(c1)).toEqual(['to all', 'to others']);
  });

  it('sends to one client and to a list of clients on other nodes, and to no one else', async () => {
    const a1 = await connect(nodeA);
    const a2 = await connect(nodeA);
    const b1 = await connect(nodeB);
    const c1 = await connect(nodeC);
    const c2 = await connect(nodeC);

    await a1.connection.invoke('SendClient', c1.id, 'only c1');
    expect(await c1.received.next()).toEqual(['only c1']);
    await barrier(a1, [a1, a2, b1, c2]);
    for (const client of [a1, a2, b1, c2]) expect(texts(client)).toEqual([]);

    // Local, remote and repeated ids; c2 and a1 are not listed.
    await a1.connection.invoke('SendClients', [a2.id, b1.id, c1.id, b1.id], 'listed');
    for (const client of [a2, b1, c1]) expect(await client.received.next()).toEqual(['listed']);
    await barrier(a1, [a1, a2, b1, c1, c2]);
    expect(texts(b1)).toEqual(['listed']);
    expect(texts(c2)).toEqual([]);
    expect(texts(a1)).toEqual([]);
  });

  it('sends to groups whose members are on several nodes, with groupExcept and othersInGroup', async () => {
    const a1 = await connect(nodeA);
    const a2 = await connect(nodeA);
    const b1 = await connect(nodeB);
    const b2 = await connect(nodeB);
    const c1 = await connect(nodeC);
    for (const member of [a2, b1, c1]) await member.connection.invoke('AddToGroup', member.id, 'room');

    await a1.connection.invoke('SendGroup', 'room', 'hi room');
    for (const member of [a2, b1, c1]) expect(await member.received.next()).toEqual(['hi room']);
    await barrier(a1, [a1, b2]);
    expect(texts(a1)).toEqual([]);
    expect(texts(b2)).toEqual([]);

    await a1.connection.invoke('SendGroupExcept', 'room', [c1.id], 'not c1');
    for (const member of [a2, b1]) expect(await member.received.next()).toEqual(['not c1']);
    await barrier(a1, [c1]);
    expect(texts(c1)).toEqual(['hi room']);

    await b1.connection.invoke('SendOthersInGroup', 'room', 'from b1');
    for (const member of [a2, c1]) expect(await member.received.next()).toEqual(['from b1']);
    await barrier(b1, [a1, b1, b2]);
    expect(texts(b1)).toEqual(['hi room', 'not c1']);
    expect(texts(b2)).toEqual([]);
    expect(texts(a1)).toEqual([]);
  });

  it('sends to several groups once per connection, however many of them it is in', async () => {
    const a1 = await connect(nodeA);
    const a2 = await connect(nodeA);
    const b1 = await connect(nodeB);
    const c1 = await connect(nodeC);
    const c2 = await connect(nodeC);
    await b1.connection.invoke('AddToGroup', b1.id, 'red');
    await b1.connection.invoke('AddToGroup', b1.id, 'blue');
    await c1.connection.invoke('AddToGroup', c1.id, 'blue');
    await a2.connection.invoke('AddToGroup', a2.id, 'red');
    await a2.connection.invoke('AddToGroup', a2.id, 'blue');
    await c2.connection.invoke('AddToGroup', c2.id, 'green');

    await a1.connection.invoke('SendGroups', ['red', 'blue', 'red'], 'red and blue');
    await barrier(a1, [a1, a2, b1, c1, c2]);
    expect(texts(a2)).toEqual(['red and blue']);
    expect(texts(b1)).toEqual(['red and blue']);
    expect(texts(c1)).toEqual(['red and blue']);
    expect(texts(c2)).toEqual([]);
    expect(texts(a1)).toEqual([]);
  });

  it('adds a connection of another node to a group and removes it, once that node has acked', async () => {
    const a1 = await connect(nodeA);
    const b1 = await connect(nodeB);
    const c1 = await connect(nodeC);

    // a1 (node A) puts c1 (node C) in a group; b1 (node B) sends to it.
    await a1.connection.invoke('AddToGroup', c1.id, 'remote');
    await b1.connection.invoke('SendGroup', 'remote', 'joined by a1');
    expect(await c1.received.next()).toEqual(['joined by a1']);
    await barrier(b1, [a1, b1]);
    expect(texts(a1)).toEqual([]);
    expect(texts(b1)).toEqual([]);

    await a1.connection.invoke('RemoveFromGroup', c1.id, 'remote');
    await b1.connection.invoke('SendGroup', 'remote', 'after removal');
    await barrier(b1, [c1]);
    expect(texts(c1)).toEqual(['joined by a1']);
  });

  it('treats group changes for connections that exist nowhere as no-ops', async () => {
    const a1 = await connect(nodeA);
    const b1 = await connect(nodeB);
    const c1 = await connect(nodeC);
    // Unknown to a live node (which acks); of a node that does not exist; naming no node.
    await a1.connection.invoke('AddToGroup', unknownConnectionOf(b1), 'ghosts');
    await a1.connection.invoke('AddToGroup', 'AAAAAAAAAAAAAAAAAAAAAA.nonode00', 'ghosts');
    await a1.connection.invoke('RemoveFromGroup', 'no-node-in-this-id', 'ghosts');
    await c1.connection.invoke('SendGroup', 'ghosts', 'anyone?');
    await barrier(c1, [a1, b1, c1]);
    for (const client of [a1, b1, c1]) expect(texts(client)).toEqual([]);
  });

  it('sends to every connection of a user, on every node, and to no other user', async () => {
    const alicePhone = await connect(nodeA, 'alice');
    const aliceLaptop = await connect(nodeC, 'alice');
    const bob = await connect(nodeB, 'bob');
    const carol = await connect(nodeC, 'carol');
    const anonymous = await connect(nodeA);

    await bob.connection.invoke('SendUser', 'alice', 'psst');
    expect(await alicePhone.received.next()).toEqual(['psst']);
    expect(await aliceLaptop.received.next()).toEqual(['psst']);
    await barrier(bob, [bob, carol, anonymous]);
    for (const client of [bob, carol, anonymous]) expect(texts(client)).toEqual([]);

    await anonymous.connection.invoke('SendUsers', ['alice', 'bob', 'alice', 'nobody'], 'to alice and bob');
    for (const client of [alicePhone, aliceLaptop, bob]) {
      expect(await client.received.next()).toEqual(['to alice and bob']);
    }
    await barrier(anonymous, [alicePhone, aliceLaptop, bob, carol, anonymous]);
    expect(texts(aliceLaptop)).toEqual(['psst', 'to alice and bob']);
    expect(texts(carol)).toEqual([]);
  });

  it('stops sending to a user on a node once its last connection there has left', async () => {
    const bob = await connect(nodeB, 'bob');
    const daveA = await connect(nodeA, 'dave');
    const daveC = await connect(nodeC, 'dave');
    await daveC.connection.stop();
    await bob.connection.invoke('SendUser', 'dave', 'still there?');
    expect(await daveA.received.next()).toEqual(['still there?']);
    await barrier(bob, [daveA]);
    expect(texts(daveA)).toEqual(['still there?']);
  });

  it('reaches every node from a HubContext', async () => {
    const a1 = await connect(nodeA);
    const b1 = await connect(nodeB, 'erin');
    const c1 = await connect(nodeC);
    await c1.connection.invoke('AddToGroup', c1.id, 'news');
    const fromB = hubContext(nodeB);

    await fromB.clients.all.send('Receive', 'service to all');
    for (const client of [a1, b1, c1]) expect(await client.received.next()).toEqual(['service to all']);

    await fromB.clients.group('news').send('Receive', 'service to news');
    await fromB.clients.user('erin').send('Receive', 'service to erin');
    await fromB.clients.client(a1.id).send('Receive', 'service to a1');
    expect(await c1.received.next()).toEqual(['service to news']);
    expect(await b1.received.next()).toEqual(['service to erin']);
    expect(await a1.received.next()).toEqual(['service to a1']);
    await barrierFromContext(fromB, [a1, b1, c1]);
    expect(texts(a1)).toEqual(['service to all', 'service to a1']);
    expect(texts(b1)).toEqual(['service to all', 'service to erin']);
    expect(texts(c1)).toEqual(['service to all', 'service to news']);

    await hubContext(nodeA).groups.add(b1.id, 'news');
    await hubContext(nodeC).clients.group('news').send('Receive', 'news for two');
    expect(await b1.received.next()).toEqual(['news for two']);
    expect(await c1.received.next()).toEqual(['news for two']);
  });

  describe('client results', () => {
    function answering(client: NodeClient): NodeClient {
      client.connection.on('Double', (n: number) => n * 2);
      client.connection.on('Fail', () => {
        throw new Error('no can do');
      });
      client.connection.on('Hang', () => new Promise(() => {}));
      return client;
    }

    it('resolve and reject from a connection of another node as from a local one', async () => {
      const caller = await connect(nodeA);
      const local = answering(await connect(nodeA));
      const remote = answering(await connect(nodeB));
      for (const target of [local, remote]) {
        expect(await caller.connection.invoke('InvokeClient', target.id, 'Double', 21)).toEqual({ result: 42 });
        expect(await caller.connection.invoke('InvokeClient', target.id, 'Fail', null)).toEqual({
          error: 'Error: no can do',
        });
        expect(await caller.connection.invoke('InvokeClient', target.id, 'Unknown', null)).toEqual({
          error: "Client didn't provide a result.",
        });
      }
    });

    it('time out after clientResultTimeout, wherever the connection is', async () => {
      const caller = await connect(nodeA);
      const local = answering(await connect(nodeA));
      const remote = answering(await connect(nodeC));
      const [fromLocal, fromRemote] = await Promise.all(
        [local, remote].map((target) => caller.connection.invoke('InvokeClient', target.id, 'Hang', null)),
      );
      const timedOut = (id: string) =>
        `Connection '${id}' did not return a result for 'Hang' within ${CLIENT_RESULT_TIMEOUT} ms.`;
      expect(fromLocal.error).toBe(timedOut(local.id));
      expect(fromRemote.error).toBe(timedOut(remote.id));
    });

    it('fail when the connection of another node disconnects while awaited', async () => {
      const caller = await connect(nodeA);
      const remote = await connect(nodeB);
      const stopped = new Promise<void>((resolve) =>
        remote.connection.on('Hang', () => {
          void remote.connection.stop().then(resolve);
          return new Promise(() => {});
        }),
      );
      const outcome = caller.connection.invoke('InvokeClient', remote.id, 'Hang', null);
      await stopped;
      expect(await outcome).toEqual({ error: `Connection '${remote.id}' disconnected.` });
    });

    it('fail at once for a connection that exists on no node', async () => {
      const caller = await connect(nodeA);
      const c1 = await connect(nodeC);
      // Unknown to a live node (which answers); of a node that does not exist; naming no node.
      for (const id of [unknownConnectionOf(c1), 'AAAAAAAAAAAAAAAAAAAAAA.nonode00', 'no-node-in-this-id']) {
        expect(await caller.connection.invoke('InvokeClient', id, 'Double', 1)).toEqual({
          error: `Connection '${id}' does not exist.`,
        });
      }
    });
  });

  it('gives clients of each protocol, on any node, the bytes framed for their protocol', async () => {
    const sender = await connect(nodeA, undefined, new MessagePackHubProtocol());
    const binary = await connect(nodeB, undefined, new MessagePackHubProtocol());
    const json = await connect(nodeC);
    const bytes = new Uint8Array(1000).map((_, i) => (i * 7) % 256);
    const when = new Date('2026-11-26T08:30:15.250Z');

    await sender.connection.invoke('SendAll', { bytes, when });
    const [received] = (await binary.received.next()) as [{ bytes: Uint8Array; when: Date }];
    expect(received.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(received.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(received.when).toBeInstanceOf(Date);
    expect(received.when.toISOString()).toBe(when.toISOString());
    const [asJson] = (await json.received.next()) as [{ when: string }];
    expect(asJson.when).toBe(when.toISOString());
  });

  it('returns binary client results from a MessagePack client of another node', async () => {
    const caller = await connect(nodeA, undefined, new MessagePackHubProtocol());
    const remote = await connect(nodeC, undefined, new MessagePackHubProtocol());
    remote.connection.on('Bytes', (length: number) => new Uint8Array(length).fill(7));
    const { result } = (await caller.connection.invoke('InvokeClient', remote.id, 'Bytes', 300)) as {
      result: Uint8Array;
    };
    expect(result).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(result).equals(Buffer.alloc(300, 7))).toBe(true);
  });

  it('delivers structured arguments unchanged across nodes', async () => {
    // The receiving node writes the bytes the sending node framed, as they are.
    const a1 = await connect(nodeA);
    const b1 = await connect(nodeB);
    await a1.connection.invoke('SendClient', b1.id, { nested: ['value', 1, null, true] });
    expect(await b1.received.next()).toEqual([{ nested: ['value', 1, null, true] }]);
  });

  it('shares one pair of Redis connections among the hubs of an app and closes them at shutdown', async () => {
    const node = await startApp(TwoHubsModule);
    const other = await connectHub(`${node.url}/second`);
    expect(await other.invoke('Ping')).toBe('pong');
    await other.stop();
    const client = await connectClient(node);
    const nodeId = client.id.split('.')[1];
    const manager = node.app.get<HubContext>(getHubContextToken(ScaleOutHub))
      .lifetimeManager as RedisHubLifetimeManager;
    await manager.whenConnected();
    expect(await redisClientNames(nodeId, 2)).toEqual([`signalr-pub-${nodeId}`, `signalr-sub-${nodeId}`]);
    await client.connection.stop();
    await node.close();
    expect(await redisClientNames(nodeId, 0)).toEqual([]);
  });
});

/**
 * The names of a node's Redis connections, as Redis lists them. Redis frees a
 * connection that sent QUIT just after its reply, and nothing tells when:
 * this lists again, a bounded number of times, until `expected` are there.
 */
async function redisClientNames(nodeId: string, expected: number): Promise<string[]> {
  const admin = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
    let names: string[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      const list = (await admin.client('LIST')) as string;
      names = [...list.matchAll(/ name=(\S+)/g)].map((match) => match[1]).filter((name) => name.endsWith(nodeId));
      if (names.length === expected) break;
    }
    return names.sort();
  } finally {
    admin.disconnect();
  }
}

/** A connection id of the same node as `client` that no connection has. */
function unknownConnectionOf(client: NodeClient): string {
  return `AAAAAAAAAAAAAAAAAAAAAA.${client.id.split('.')[1]}`;
}
