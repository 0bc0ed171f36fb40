import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { getHubContextToken, type HubContext } from 'nest-signalr';
import { type RedisHubLifetimeManager, redisBackplane } from 'nest-signalr/redis';
import { BackplaneMessageType, encodeMessage } from '../libs/signalr/src/lifetime/scaleout/scaleout-protocol.js';
import { OwnRedisServer, skipWithoutRedisServer } from './support/redis.js';
import { barrier, connectClient, type NodeClient, texts } from './support/scale-out-clients.js';
import { ScaleOutHub, scaleOutModule } from './fixtures/scale-out.hub.js';
import { type RunningApp, startApp } from './support/test-app.js';

const skip = skipWithoutRedisServer();

describe.skipIf(skip)('Redis backplane when Redis goes away and comes back', () => {
  // A redis-server of this suite's own: the shared one is never stopped.
  let redis: OwnRedisServer;
  const prefix = `faults-${randomUUID()}`;
  let nodeA: RunningApp;
  let nodeB: RunningApp;
  const clients: NodeClient[] = [];

  async function connect(node: RunningApp): Promise<NodeClient> {
    const client = await connectClient(node);
    clients.push(client);
    return client;
  }

  function managerOf(node: RunningApp): RedisHubLifetimeManager {
    return node.app.get<HubContext>(getHubContextToken(ScaleOutHub)).lifetimeManager as RedisHubLifetimeManager;
  }

  /**
   * Nothing announces that a node has seen Redis go; this checks the node's
   * state on every turn of the event loop, for at most 5 s.
   */
  async function disconnected(node: RunningApp): Promise<void> {
    const manager = managerOf(node);
    const deadline = Date.now() + 5000;
    while (manager.connected && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    expect(manager.connected).toBe(false);
  }

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    const backplane = redisBackplane({
      url: redis.url,
      prefix,
      redis: { retryStrategy: () => 50 },
      groupAckTimeout: 300,
    });
    const module = scaleOutModule(backplane, { enableDetailedErrors: true, clientResultTimeout: 300 });
    [nodeA, nodeB] = await Promise.all([startApp(module), startApp(module)]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.connection.stop()));
  });
  afterAll(async () => {
    await Promise.all([nodeA, nodeB].map((node) => node?.close()));
    await redis?.stop();
  });

  it('keeps local chat working without Redis, fails cross-node requests at once, and resumes when Redis is back', async () => {
    const a1 = await connect(nodeA);
    const a2 = await connect(nodeA);
    const b1 = await connect(nodeB);
    await a1.connection.invoke('SendAll', 'before');
    for (const client of [a1, a2, b1]) expect(await client.received.next()).toEqual(['before']);

    await redis.stop();
    await Promise.all([disconnected(nodeA), disconnected(nodeB)]);

    // Local delivery goes on; the message for node B is dropped, not queued.
    await a1.connection.invoke('SendAll', 'during');
    expect(await a1.received.next()).toEqual(['during']);
    expect(await a2.received.next()).toEqual(['during']);
    // Local groups work, and a node subscribes when Redis is back.
    await a2.connection.invoke('AddToGroup', a2.id, 'local');
    await a1.connection.invoke('SendGroup', 'local', 'local group');
    expect(await a2.received.next()).toEqual(['local group']);
    await b1.connection.invoke('AddToGroup', b1.id, 'joined-during-outage');
    // What needs an answer from another node fails at once.
    await expect(a1.connection.invoke('AddToGroup', b1.id, 'remote')).rejects.toThrow(
      "An unexpected error occurred invoking 'AddToGroup' on the server. RedisUnavailableError: The Redis backplane is unavailable.",
    );
    expect(await a1.connection.invoke('InvokeClient', b1.id, 'Anything', null)).toEqual({
      error: 'The Redis backplane is unavailable.',
    });

    await redis.start();
    await Promise.all([managerOf(nodeA).whenConnected(), managerOf(nodeB).whenConnected()]);

    await a1.connection.invoke('SendAll', 'after');
    expect(await b1.received.next()).toEqual(['after']);
    await barrier(a1, [b1]);
    expect(texts(b1)).toEqual(['before', 'after']); // 'during' was dropped: at most once

    await a1.connection.invoke('SendGroup', 'joined-during-outage', 'resubscribed');
    expect(await b1.received.next()).toEqual(['resubscribed']);
    await a1.connection.invoke('AddToGroup', b1.id, 'remote');
    await a2.connection.invoke('SendGroup', 'remote', 'cross-node groups again');
    expect(await b1.received.next()).toEqual(['cross-node groups again']);
  });

  it('gives up on a node that receives but never answers, after groupAckTimeout and clientResultTimeout', async () => {
    // A silent "node": it says hello (as a node does when it starts) and
    // listens on its node channel, but never acks or answers.
    const silent = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    const publisher = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      await silent.subscribe(`${prefix}:/scale:node:silent00`);
      // Node A answers the hello on the silent node's channel: from then on it knows that node.
      const answered = new Promise((resolve) => silent.once('message', resolve));
      await publisher.publish(`${prefix}:/scale:all`, encodeMessage(['silent00', BackplaneMessageType.NodeHello]));
      await answered;
      const a1 = await connect(nodeA);
      const ghost = 'AAAAAAAAAAAAAAAAAAAAAA.silent00';
      await expect(a1.connection.invoke('AddToGroup', ghost, 'room')).rejects.toThrow(
        `An unexpected error occurred invoking 'AddToGroup' on the server. Error: The node of connection '${ghost}' did not acknowledge the group change within 300 ms.`,
      );
      expect(await a1.connection.invoke('InvokeClient', ghost, 'Anything', null)).toEqual({
        error: `Connection '${ghost}' did not return a result for 'Anything' within 300 ms.`,
      });
    } finally {
      silent.disconnect();
      publisher.disconnect();
    }
  });

  it('serves clients that connect while Redis is down, locally, and across nodes once it is back', async () => {
    await redis.stop();
    await Promise.all([disconnected(nodeA), disconnected(nodeB)]);
    const a1 = await connect(nodeA);
    const a2 = await connect(nodeA);
    const b1 = await connect(nodeB);
    await a1.connection.invoke('SendOthers', 'only local');
    expect(await a2.received.next()).toEqual(['only local']);

    await redis.start();
    await Promise.all([managerOf(nodeA).whenConnected(), managerOf(nodeB).whenConnected()]);
    await b1.connection.invoke('SendClient', a1.id, 'from b1');
    expect(await a1.received.next()).toEqual(['from b1']);
    await barrier(a1, [b1]);
    expect(texts(b1)).toEqual([]);
  });
});
