import { randomUUID } from 'node:crypto';
import { redisBackplane } from 'nest-signalr/redis';
import { OwnRedisServer, skipWithoutRedisServer } from '../support/redis.js';
import { connectClient, type NodeClient } from '../support/scale-out-clients.js';
import { scaleOutModule } from '../fixtures/scale-out.hub.js';
import { type RunningApp, startApp } from '../support/test-app.js';

const skip = skipWithoutRedisServer();
const TIMEOUT = 1000;
const UNAVAILABLE = 'The Redis backplane is unavailable.';

describe.skipIf(skip)('a frozen Redis (SIGSTOP) fails backplane operations after the timeout, not never', () => {
  // A redis-server of this suite's own: the shared one is never frozen.
  let redis: OwnRedisServer;
  let nodeA: RunningApp;
  let nodeB: RunningApp;
  const clients: NodeClient[] = [];

  async function connect(node: RunningApp): Promise<NodeClient> {
    const client = await connectClient(node);
    clients.push(client);
    return client;
  }

  /** Runs `operation`, and resolves with how long it took. */
  async function timed(operation: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await operation();
    return performance.now() - start;
  }

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    const backplane = redisBackplane({ url: redis.url, prefix: `frozen-${randomUUID()}`, timeout: TIMEOUT });
    const module = scaleOutModule(backplane, { enableDetailedErrors: true, maximumParallelInvocationsPerClient: 1 });
    [nodeA, nodeB] = await Promise.all([startApp(module), startApp(module)]);
  });
  afterAll(async () => {
    redis?.thaw();
    await Promise.all(clients.splice(0).map((client) => client.connection.stop()));
    await Promise.all([nodeA, nodeB].map((node) => node?.close()));
    await redis?.stop();
  });

  it('fails AddToGroup and client results within the timeout while frozen, and recovers after SIGCONT', async () => {
    const a1 = await connect(nodeA);
    const b1 = await connect(nodeB);
    redis.freeze();
    try {
      // A new group of a local connection: the node's SUBSCRIBE gets no answer.
      const joinLocal = await timed(() =>
        expect(a1.connection.invoke('AddToGroup', a1.id, 'fresh')).rejects.toThrow(
          `An unexpected error occurred invoking 'AddToGroup' on the server. RedisUnavailableError: ${UNAVAILABLE}`,
        ),
      );
      expect(joinLocal).toBeGreaterThanOrEqual(TIMEOUT - 1);
      expect(joinLocal).toBeLessThan(2 * TIMEOUT);

      // A connection of the other node: the group command is never taken.
      const joinRemote = await timed(() =>
        expect(a1.connection.invoke('AddToGroup', b1.id, 'remote')).rejects.toThrow(UNAVAILABLE),
      );
      expect(joinRemote).toBeLessThan(2 * TIMEOUT);
      const invoke = await timed(async () =>
        expect(await a1.connection.invoke('InvokeClient', b1.id, 'Anything', null)).toEqual({ error: UNAVAILABLE }),
      );
      expect(invoke).toBeLessThan(2 * TIMEOUT);

      // The client's next invocations are not stuck behind those (one invocation at a time).
      expect(await a1.connection.invoke('Whoami')).toBe(a1.id);
      await a1.connection.invoke('SendAll', 'local delivery goes on');
      expect(await a1.received.next()).toEqual(['local delivery goes on']);
    } finally {
      redis.thaw();
    }

    // A failed join left nothing behind; joining again works, across nodes too.
    await a1.connection.invoke('AddToGroup', a1.id, 'fresh');
    await a1.connection.invoke('AddToGroup', b1.id, 'fresh');
    await b1.connection.invoke('SendGroup', 'fresh', 'after SIGCONT');
    expect(await a1.received.next()).toEqual(['after SIGCONT']);
    expect(await b1.received.next()).toEqual(['local delivery goes on']);
    expect(await b1.received.next()).toEqual(['after SIGCONT']);
  });
});
