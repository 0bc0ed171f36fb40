import type { Type } from '@nestjs/common';
import {
  type BackplaneScope,
  type CompletionMessage,
  type HubLifetimeManagerFactory,
  type HubMessage,
  type HubProtocol,
  JsonHubProtocol,
  type LifetimeConnection,
  MessagePackHubProtocol,
  MessageType,
  type ScaleoutHubLifetimeManager,
  type ScaleoutOptions,
} from 'nest-signalr';
import type { SerializedHubMessage } from '../../libs/signalr/src/protocol/serialized-hub-message.js';

/**
 * One bus under the specification: how to make a backplane on it, and how to
 * take its broker away and bring it back.
 */
export interface BusHarness {
  /** The broker's name in errors: "The {brokerName} backplane is unavailable." */
  brokerName: string;
  /** A backplane factory on this bus, with `options` and a channel prefix unique to the run. */
  backplane(options: ScaleoutOptions): HubLifetimeManagerFactory;
  /** The broker stops answering (killed or frozen); resolves once it is so. */
  outage(): Promise<void>;
  /** The broker is back; resolves once it accepts clients again. */
  recover(): Promise<void>;
}

// Short enough that the outage test takes about a second, long enough for a busy machine.
const OPTIONS: ScaleoutOptions = { timeout: 1000, groupAckTimeout: 2000, heartbeatInterval: 500 };

/**
 * The cross-node behaviour every backplane must have (as ASP.NET Core's
 * ScaleoutHubLifetimeManagerTests): three nodes of one hub, each a lifetime
 * manager on its own bus, with connections that record what they are sent.
 *
 * Who must NOT receive a message is shown with a marker sent after it, from
 * the same node, to the same selector without exclusions: a bus delivers the
 * messages of one publisher on one channel in order, so a node that wrote
 * the marker to one of its connections has already written the message to
 * every connection of its that was to get it; and a node with no member of
 * the selector is not subscribed to its channel, so never gets it at all.
 */
export function describeBackplaneSpecification(harness: BusHarness): void {
  class SpecificationHub {}
  const json = new JsonHubProtocol();
  const messagepack = new MessagePackHubProtocol();
  let nodes: Node[] = [];
  let connectionCount = 0;

  class Node {
    private readonly shutdown: (() => Promise<void> | void)[] = [];
    readonly manager: ScaleoutHubLifetimeManager;

    constructor(factory: HubLifetimeManagerFactory) {
      const scope: BackplaneScope = { onShutdown: (hook) => this.shutdown.push(hook) };
      this.manager = factory(SpecificationHub as Type, scope) as ScaleoutHubLifetimeManager;
      this.manager.init([json, messagepack]);
    }

    async connect(user?: string, protocol: HubProtocol = json): Promise<FakeConnection> {
      const connection = new FakeConnection(
        this.manager.newConnectionId(),
        user,
        protocol,
        this.manager,
        `c${++connectionCount}`,
      );
      await this.manager.onConnected(connection);
      return connection;
    }

    async close(): Promise<void> {
      await Promise.all(this.shutdown.splice(0).map(async (hook) => hook()));
    }
  }

  async function startNodes(count: number): Promise<Node[]> {
    const factory = harness.backplane(OPTIONS);
    const started = Array.from({ length: count }, () => new Node(factory));
    await Promise.all(started.map((node) => node.manager.whenConnected()));
    // Nodes learn of each other from their hellos: nothing announces that all have answered.
    for (let turn = 0; turn < 20_000; turn++) {
      if (started.every((node) => node.manager.knownNodeCount >= count - 1)) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const node of started) expect(node.manager.knownNodeCount).toBeGreaterThanOrEqual(count - 1);
    return started;
  }

  let markers = 0;
  /** Sends a marker with `send` and waits until each of `receivers` has it (see above). */
  async function marker(send: (target: string, token: string) => Promise<void>, receivers: FakeConnection[]) {
    const token = `marker-${++markers}`;
    await send('Marker', token);
    await Promise.all(receivers.map((connection) => connection.waitFor('Marker', token)));
  }

  describe(`${harness.brokerName} backplane specification`, () => {
    let a: Node;
    let b: Node;
    let c: Node;

    beforeEach(async () => {
      nodes = await startNodes(3);
      [a, b, c] = nodes;
    });
    afterEach(async () => {
      await Promise.all(nodes.map((node) => node.close()));
    });

    it('sends to all and allExcept across nodes, and not to the excluded', async () => {
      const [a1, a2, b1, c1] = [await a.connect(), await a.connect(), await b.connect(), await c.connect()];
      await a.manager.sendAll('Receive', ['to all']);
      for (const connection of [a1, a2, b1, c1]) expect(await connection.next()).toEqual(['to all']);

      await b.manager.sendAllExcept('Receive', ['not a2, c1'], [a2.connectionId, c1.connectionId]);
      for (const connection of [a1, b1]) expect(await connection.next()).toEqual(['not a2, c1']);
      await marker((target, token) => b.manager.sendAll(target, [token]), [a1, a2, b1, c1]);
      expect(a2.texts()).toEqual(['to all']);
      expect(c1.texts()).toEqual(['to all']);
    });

    it('sends to one connection and to a list of connections on other nodes, and to no one else', async () => {
      const [a1, b1, b2, c1] = [await a.connect(), await b.connect(), await b.connect(), await c.connect()];
      await a.manager.sendConnection(b1.connectionId, 'Receive', ['only b1']);
      expect(await b1.next()).toEqual(['only b1']);

      const listed = [a1.connectionId, c1.connectionId, c1.connectionId, b1.connectionId];
      await a.manager.sendConnections(listed, 'Receive', ['listed']);
      for (const connection of [a1, b1, c1]) expect(await connection.next()).toEqual(['listed']);
      await marker(
        (target, token) => a.manager.sendConnections([b1.connectionId, c1.connectionId], target, [token]),
        [b1, c1],
      );
      expect(c1.texts()).toEqual(['listed']);
      expect(b1.texts()).toEqual(['only b1', 'listed']);
      // b2 shares b1's node: the node wrote the marker to b1 after anything for b2.
      expect(b2.texts()).toEqual([]);
    });

    it('sends to groups with members on several nodes, groupExcept and several groups once each', async () => {
      const [a1, a2, b1, b2, c1] = [
        await a.connect(),
        await a.connect(),
        await b.connect(),
        await b.connect(),
        await c.connect(),
      ];
      await a.manager.addToGroup(a2.connectionId, 'room');
      await b.manager.addToGroup(b1.connectionId, 'room');
      await c.manager.addToGroup(c1.connectionId, 'room');
      await b.manager.addToGroup(b1.connectionId, 'other');
      await a.manager.addToGroup(a1.connectionId, 'other');

      await c.manager.sendGroup('room', 'Receive', ['to room']);
      for (const connection of [a2, b1, c1]) expect(await connection.next()).toEqual(['to room']);

      await a.manager.sendGroupExcept('room', 'Receive', ['not b1'], [b1.connectionId]);
      for (const connection of [a2, c1]) expect(await connection.next()).toEqual(['not b1']);

      await c.manager.sendGroups(['room', 'other', 'room'], 'Receive', ['room and other']);
      for (const connection of [a1, a2, b1, c1]) expect(await connection.next()).toEqual(['room and other']);

      await marker((target, token) => a.manager.sendGroup('room', target, [token]), [a2, b1, c1]);
      await marker((target, token) => c.manager.sendGroups(['room', 'other'], target, [token]), [a1, a2, b1, c1]);
      expect(b1.texts()).toEqual(['to room', 'room and other']);
      expect(a1.texts()).toEqual(['room and other']);
      expect(b2.texts()).toEqual([]);
    });

    it("changes the groups of another node's connection once that node has acked, and ignores unknown ones", async () => {
      const [a1, b1, c1] = [await a.connect(), await b.connect(), await c.connect()];
      await a.manager.addToGroup(c1.connectionId, 'remote');
      await b.manager.sendGroup('remote', 'Receive', ['joined by a']);
      expect(await c1.next()).toEqual(['joined by a']);

      await a.manager.removeFromGroup(c1.connectionId, 'remote');
      await b.manager.addToGroup(b1.connectionId, 'remote');
      await a.manager.sendGroup('remote', 'Receive', ['after removal']);
      expect(await b1.next()).toEqual(['after removal']);
      await marker((target, token) => a.manager.sendAll(target, [token]), [a1, b1, c1]);
      expect(c1.texts()).toEqual(['joined by a']);

      // Unknown to a live node (which acks); of a node that does not exist; naming no node.
      const unknownOnB = `${'A'.repeat(22)}.${b1.connectionId.split('.')[1]}`;
      await a.manager.addToGroup(unknownOnB, 'ghosts');
      await a.manager.addToGroup(`${'A'.repeat(22)}.nonode00`, 'ghosts');
      await a.manager.removeFromGroup('no-node-in-this-id', 'ghosts');
    });

    it('sends to every connection of a user on every node, to no other, and stops when the user leaves a node', async () => {
      const [alicePhone, aliceLaptop, bob, anonymous] = [
        await a.connect('alice'),
        await c.connect('alice'),
        await b.connect('bob'),
        await c.connect(),
      ];
      await b.manager.sendUser('alice', 'Receive', ['psst']);
      for (const connection of [alicePhone, aliceLaptop]) expect(await connection.next()).toEqual(['psst']);

      await a.manager.sendUsers(['alice', 'bob', 'alice', 'nobody'], 'Receive', ['alice and bob']);
      for (const connection of [alicePhone, aliceLaptop, bob])
        expect(await connection.next()).toEqual(['alice and bob']);
      await marker(
        (target, token) => a.manager.sendUsers(['alice', 'bob'], target, [token]),
        [alicePhone, aliceLaptop, bob],
      );
      expect(aliceLaptop.texts()).toEqual(['psst', 'alice and bob']);
      expect(anonymous.texts()).toEqual([]);

      await c.manager.onDisconnected(aliceLaptop);
      await b.manager.sendUser('alice', 'Receive', ['still there?']);
      expect(await alicePhone.next()).toEqual(['still there?']);
      expect(aliceLaptop.texts()).toEqual(['psst', 'alice and bob']);
    });

    it('returns client results and client errors from connections of other nodes', async () => {
      const remote = await b.connect();
      remote.answer = (target, args) =>
        target === 'Double' ? { result: (args[0] as number) * 2 } : { error: 'no can do' };
      expect(await a.manager.invokeConnection(remote.connectionId, 'Double', [21])).toBe(42);
      await expect(a.manager.invokeConnection(remote.connectionId, 'Fail', [])).rejects.toThrow('no can do');

      const binary = await c.connect(undefined, messagepack);
      binary.answer = () => ({ result: new Uint8Array([1, 2, 3]) });
      const bytes = await a.manager.invokeConnection<Uint8Array>(binary.connectionId, 'Bytes', []);
      expect(Buffer.from(bytes)).toEqual(Buffer.from([1, 2, 3]));
    });

    it('fails client results for connections that exist nowhere, or that disconnect while awaited', async () => {
      const remote = await b.connect();
      for (const id of [`${'A'.repeat(22)}.${remote.connectionId.split('.')[1]}`, `${'A'.repeat(22)}.nonode00`]) {
        await expect(a.manager.invokeConnection(id, 'Anything', [])).rejects.toThrow(
          `Connection '${id}' does not exist.`,
        );
      }
      const awaited = a.manager.invokeConnection(remote.connectionId, 'Hang', []);
      await remote.waitFor('Hang');
      const failed = expect(awaited).rejects.toThrow(`Connection '${remote.connectionId}' disconnected.`);
      await b.manager.onDisconnected(remote);
      await failed;
    });

    it('ends what awaits a node that shuts down at once', async () => {
      const onC = await c.connect();
      const awaited = a.manager.invokeConnection(onC.connectionId, 'Hang', []);
      await onC.waitFor('Hang');
      const failed = expect(awaited).rejects.toThrow(`Connection '${onC.connectionId}' disconnected.`);
      await c.close();
      await failed;
      // Its connections are gone with it: a group change for one is a no-op.
      await a.manager.addToGroup(onC.connectionId, 'room');
    });

    it('keeps the order of messages from one node, whatever the selector', async () => {
      const [b1, c1] = [await b.connect('erin'), await c.connect()];
      await b.manager.addToGroup(b1.connectionId, 'ordered');
      const sent: number[] = [];
      for (let i = 0; i < 300; i++) {
        sent.push(i);
        if (i % 3 === 0) await a.manager.sendConnection(b1.connectionId, 'Receive', [i]);
        else if (i % 3 === 1) await a.manager.sendGroup('ordered', 'Receive', [i]);
        else await a.manager.sendUser('erin', 'Receive', [i]);
        await a.manager.sendConnection(c1.connectionId, 'Receive', [i]);
      }
      const byChannel = (offset: number) => sent.filter((i) => i % 3 === offset);
      await b1.waitForCount(300);
      await c1.waitForCount(300);
      expect(c1.texts()).toEqual(sent);
      // Each channel keeps its order; across channels, brokers that shard them may not.
      for (const offset of [0, 1, 2]) {
        expect(b1.texts().filter((i) => (i as number) % 3 === offset)).toEqual(byChannel(offset));
      }
    });

    it('gives each protocol its own bytes, serialized once by the sending node', async () => {
      const [binary, text] = [await b.connect(undefined, messagepack), await c.connect()];
      const bytes = new Uint8Array([0, 255, 7]);
      await a.manager.sendAll('Receive', [{ bytes }]);
      const [received] = (await binary.next()) as [{ bytes: Uint8Array }];
      expect(received.bytes).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(received.bytes)).toEqual(Buffer.from(bytes));
      expect(await text.next()).toEqual([{ bytes: { 0: 0, 1: 255, 2: 7 } }]);
    });

    it('serves local connections through an outage, fails what needs the broker, and recovers', async () => {
      const [a1, a2, b1] = [await a.connect(), await a.connect(), await b.connect()];
      await harness.outage();
      try {
        await a.manager.sendAll('Receive', ['local only']);
        expect(await a1.next()).toEqual(['local only']);
        expect(await a2.next()).toEqual(['local only']);
        await a.manager.addToGroup(a2.connectionId, 'kept-local');
        const started = Date.now();
        await expect(a.manager.addToGroup(b1.connectionId, 'remote')).rejects.toThrow(
          `The ${harness.brokerName} backplane is unavailable.`,
        );
        await expect(a.manager.invokeConnection(b1.connectionId, 'Anything', [])).rejects.toThrow(
          `The ${harness.brokerName} backplane is unavailable.`,
        );
        expect(Date.now() - started).toBeLessThan(3 * OPTIONS.timeout!);
      } finally {
        await harness.recover();
      }
      await Promise.all(nodes.map((node) => node.manager.whenConnected()));
      await a.manager.addToGroup(b1.connectionId, 'remote');
      await c.manager.sendGroup('remote', 'Receive', ['remote again']);
      expect(await b1.next()).toEqual(['remote again']);
      await c.manager.sendGroup('kept-local', 'Receive', ['resubscribed']);
      expect(await a2.next()).toEqual(['resubscribed']);
    });
  });
}

/** A connection that decodes what it is sent, with its own protocol, and can answer client results. */
class FakeConnection implements LifetimeConnection {
  groupNames?: Set<string>;
  readonly invocations: { target: string; arguments: unknown[] }[] = [];
  /** How it answers an invocation that awaits a result; none: it never answers. */
  answer?: (target: string, args: unknown[]) => { result?: unknown; error?: string };
  private readonly waiters = new Set<() => void>();
  private read = 0;

  constructor(
    readonly connectionId: string,
    readonly userIdentifier: string | undefined,
    private readonly protocol: HubProtocol,
    private readonly manager: ScaleoutHubLifetimeManager,
    readonly name: string,
  ) {}

  writeMessage(message: HubMessage): void {
    this.writeSerialized({
      getBytes: (protocol: HubProtocol) => protocol.writeMessage(message),
    } as SerializedHubMessage);
  }

  writeSerialized(message: SerializedHubMessage): void {
    this.protocol.parseMessages(message.getBytes(this.protocol), 1 << 20, (parsed) => {
      if (parsed.type !== MessageType.Invocation) return;
      this.invocations.push({ target: parsed.target, arguments: parsed.arguments });
      if (parsed.invocationId !== undefined && this.answer) {
        const completion: CompletionMessage = {
          type: MessageType.Completion,
          invocationId: parsed.invocationId,
          ...this.answer(parsed.target, parsed.arguments),
        };
        queueMicrotask(() => this.manager.setConnectionResult(this.connectionId, completion));
      }
      for (const waiter of this.waiters) waiter();
    });
  }

  /** The arguments of the next `Receive` not read yet. */
  async next(): Promise<unknown[]> {
    for (;;) {
      const receives = this.invocations.filter((invocation) => invocation.target === 'Receive');
      if (receives.length > this.read) return receives[this.read++].arguments;
      await this.changed();
    }
  }

  /** The first argument of every `Receive` so far. */
  texts(): unknown[] {
    return this.invocations.filter((invocation) => invocation.target === 'Receive').map((i) => i.arguments[0]);
  }

  async waitFor(target: string, firstArgument?: unknown): Promise<void> {
    while (
      !this.invocations.some(
        (invocation) =>
          invocation.target === target && (firstArgument === undefined || invocation.arguments[0] === firstArgument),
      )
    ) {
      await this.changed();
    }
  }

  async waitForCount(count: number): Promise<void> {
    while (this.texts().length < count) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => {
      const waiter = () => {
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }
}
