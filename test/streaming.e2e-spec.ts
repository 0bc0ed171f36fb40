import {
  type CompletionMessage,
  type HubConnection,
  HttpTransportType,
  type IStreamResult,
  type ISubscription,
  MessageType,
  Subject,
} from '@microsoft/signalr';
import { performance } from 'node:perf_hooks';
import { getHubContextToken, type HubContext } from 'nest-signalr';
import { HoardProbe, ParallelHub, StreamingHub, StreamingTestModule } from './fixtures/streaming.hub.js';
import { CLIENT_VARIANTS } from './support/client-variants.js';
import { connectHub, ReceivedMessages, trackSends } from './support/hub-client.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';

/** Every item of a stream, once it completes; rejects with its error. */
function collect<T>(stream: IStreamResult<T>): Promise<T[]> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    stream.subscribe({ next: (item) => items.push(item), complete: () => resolve(items), error: reject });
  });
}

/** The items a stream sent before it failed, and its error. */
function collectUntilError<T>(stream: IStreamResult<T>): Promise<{ items: T[]; error: Error }> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    stream.subscribe({
      next: (item) => items.push(item),
      complete: () => reject(new Error('The stream completed without an error.')),
      error: (error) => resolve({ items, error }),
    });
  });
}

/** Subscribes and resolves once `count` items arrived. */
function receiveSome<T>(
  stream: IStreamResult<T>,
  count: number,
): Promise<{ subscription: ISubscription<T>; items: T[] }> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    const subscription = stream.subscribe({
      next: (item) => {
        items.push(item);
        if (items.length === count) resolve({ subscription, items });
      },
      complete: () => reject(new Error('The stream completed early.')),
      error: reject,
    });
  });
}

/** Polls a server-side condition (same process) with a bounded loop, for what cannot be awaited. */
async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('Condition not met in time.');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * After a client disposed the only stream it had open: the server ends that
 * stream with a Completion without error (as ASP.NET Core does), and no item
 * of it arrives after that Completion, even a round trip later. The official
 * client drops such items silently, so this reads what it parsed.
 */
async function expectNothingAfterCompletion(connection: HubConnection, wire: ReceivedMessages): Promise<void> {
  const { invocationId } = wire.messages.find((message) => message.type === MessageType.StreamItem) as {
    invocationId: string;
  };
  const completedAt = await wire.indexOf(
    (message) => message.type === MessageType.Completion && message.invocationId === invocationId,
  );
  const completion = wire.messages[completedAt] as CompletionMessage;
  expect([completion.error, completion.result]).toEqual([undefined, undefined]);
  await collect(connection.stream('Marker')); // whatever the server still had to send has arrived
  const after = wire.messages.slice(completedAt + 1);
  expect(after.filter((message) => 'invocationId' in message && message.invocationId === invocationId)).toEqual([]);
}

describe.each(CLIENT_VARIANTS)('streaming over $name', ({ options }) => {
  // Over Server-Sent Events and long polling the official client POSTs each upload item on
  // its own, one after another (several ms each on a busy machine): smaller uploads there.
  const overWebSockets = options.transport === HttpTransportType.WebSockets;
  const uploadCount = overWebSockets ? 10_000 : 1_000;
  let server: RunningApp;
  let hub: StreamingHub;
  const connections: { connection: HubConnection; sendsSettled: () => Promise<void> }[] = [];

  async function connect(path = '/streaming'): Promise<HubConnection> {
    const connection = await connectHub(`${server.url}${path}`, options);
    connections.push({ connection, sendsSettled: trackSends(connection) });
    return connection;
  }

  beforeAll(async () => {
    server = await startApp(StreamingTestModule);
    hub = server.app.get(StreamingHub);
  });
  afterEach(async () => {
    await Promise.all(
      connections.splice(0).map(async ({ connection, sendsSettled }) => {
        await sendsSettled();
        await connection.stop();
      }),
    );
  });
  afterAll(() => server.close());

  describe('server to client', () => {
    it('streams 1,000 items from an async generator, complete and in order', async () => {
      const connection = await connect();
      const items = await collect(connection.stream<number>('Counter', 1_000));
      expect(items).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    });

    it('streams the items of an Observable', async () => {
      const connection = await connect();
      expect(await collect(connection.stream('ObservableCounter', 5))).toEqual([0, 1, 2, 3, 4]);
    });

    it('an empty stream only completes', async () => {
      const connection = await connect();
      expect(await collect(connection.stream('Counter', 0))).toEqual([]);
    });

    it('cancelling an endless stream stops the generator, and no item follows its Completion', async () => {
      const connection = await connect();
      const wire = new ReceivedMessages(connection);
      const { subscription } = await receiveSome(connection.stream<number>('Endless'), 10);
      subscription.dispose();
      await hub.endlessStopped!.promise; // the generator's finally ran: cancellation reached it
      await expectNothingAfterCompletion(connection, wire);
    });

    it('cancelling an Observable stream unsubscribes it, and no item follows its Completion', async () => {
      const connection = await connect();
      const wire = new ReceivedMessages(connection);
      const { subscription } = await receiveSome(connection.stream('EndlessObservable'), 3);
      subscription.dispose();
      await hub.observableStopped!.promise;
      await expectNothingAfterCompletion(connection, wire);
    });

    it('a stream ends when its connection closes', async () => {
      const connection = await connect();
      await receiveSome(connection.stream('Endless'), 3);
      const stopped = hub.endlessStopped!.promise;
      await connection.stop();
      await expect(stopped).resolves.toEqual(expect.any(Number));
    });

    it('an error mid-stream reaches the error callback, after the items before it', async () => {
      const connection = await connect();
      const { items, error } = await collectUntilError(connection.stream('FailMidStream'));
      expect(items).toEqual([1, 2]);
      expect(error.message).toBe('An error occurred on the server while streaming results.');
    });

    it('a HubException mid-stream tells the client its message', async () => {
      const connection = await connect();
      const { items, error } = await collectUntilError(connection.stream('FailMidStreamVisibly'));
      expect(items).toEqual([1]);
      expect(error.message).toBe('An error occurred on the server while streaming results. HubException: kaput');
    });

    it('a method that throws before returning its stream fails the invocation', async () => {
      const connection = await connect();
      await expect(collect(connection.stream('FailBeforeStreaming'))).rejects.toThrow(
        /^An unexpected error occurred invoking 'FailBeforeStreaming' on the server\.$/,
      );
    });

    it('a streaming method that returns something else than a stream fails', async () => {
      const connection = await connect();
      await expect(collect(connection.stream('NotAStream'))).rejects.toThrow(
        "The value returned by the streaming method 'NotAStream' is not a ChannelReader<> or IAsyncEnumerable<>.",
      );
    });

    it('a stream item the protocol cannot serialize ends the stream with an error', async () => {
      const connection = await connect();
      const { items, error } = await collectUntilError(connection.stream('UnserializableItems'));
      expect(items).toEqual([1]);
      expect(error.message).toBe('An error occurred on the server while streaming results.');
      expect(await connection.invoke('Unserializable').catch((e: Error) => e.message)).toBe(
        "An unexpected error occurred invoking 'Unserializable' on the server.",
      );
    });

    it('interceptors map the items of async generators and Observables', async () => {
      const connection = await connect();
      expect(await collect(connection.stream('DoubledCounter', 3))).toEqual([2, 4, 6]);
      expect(await collect(connection.stream('DoubledObservable', 3))).toEqual([2, 4, 6]);
    });

    it('refuses to invoke a streaming method, and to stream a plain one', async () => {
      const connection = await connect();
      await expect(connection.invoke('Counter', 1)).rejects.toThrow(
        "The client attempted to invoke the streaming 'Counter' method with a non-streaming invocation.",
      );
      await expect(collect(connection.stream('Block', 'x'))).rejects.toThrow(
        "The client attempted to invoke the non-streaming 'Block' method with a streaming invocation.",
      );
    });
  });

  describe('client to server', () => {
    it(`sums an upload of ${uploadCount} numbers`, async () => {
      const connection = await connect();
      const numbers = new Subject<number>();
      const sum = connection.invoke('Sum', numbers);
      for (let i = 1; i <= uploadCount; i++) numbers.next(i);
      numbers.complete();
      expect(await sum).toBe((uploadCount * (uploadCount + 1)) / 2);
    });

    it('echoes an upload as a stream', async () => {
      const connection = await connect();
      const items = new Subject<string>();
      const echoed = collect(connection.stream('Echo', '> ', items));
      items.next('a');
      items.next('b');
      items.next('c');
      items.complete();
      expect(await echoed).toEqual(['> a', '> b', '> c']);
    });

    it('binds several upload streams after the plain arguments, in order', async () => {
      const connection = await connect();
      const left = new Subject<string>();
      const right = new Subject<string>();
      // (The official client skips a stream that directly follows another one.)
      const pairs = connection.invoke('Zip', left, '-', right);
      left.next('1');
      right.next('a');
      left.next('2');
      right.next('b');
      left.complete();
      right.complete();
      expect(await pairs).toEqual(['1-a', '2-b']);
    });

    it("a client's error ends the upload with a HubException in the method", async () => {
      const connection = await connect();
      const numbers = new Subject<number>();
      const sum = connection.invoke('Sum', numbers);
      numbers.next(1);
      numbers.error(new Error('Something bad'));
      await expect(sum).rejects.toThrow(
        "An unexpected error occurred invoking 'Sum' on the server. HubException: Something bad",
      );
    });

    it('checks the number of streams', async () => {
      const connection = await connect();
      await expect(connection.invoke('Sum')).rejects.toThrow(
        "An unexpected error occurred invoking 'Sum' on the server. HubException: Client sent 0 stream(s), Hub method expects 1.",
      );
      const extra = new Subject<number>();
      await expect(collect(connection.stream('Counter', 1, extra))).rejects.toThrow(
        "An unexpected error occurred invoking 'Counter' on the server. HubException: Client sent 1 stream(s), Hub method expects 0.",
      );
    });

    it('drops what a method leaves unread, and the connection goes on', async () => {
      const connection = await connect();
      const numbers = new Subject<number>();
      const first = connection.invoke('First', numbers);
      for (let i = 1; i <= 1_000; i++) numbers.next(i);
      numbers.complete();
      expect(await first).toBe(1);
      expect(await collect(connection.stream('Counter', 3))).toEqual([0, 1, 2]);
    });

    it("a slow reader holds the server's buffer at its capacity, however much the client sends", async () => {
      const connection = await connect();
      const probe = (hub.hoard = new HoardProbe());
      const items = new Subject<string>();
      const result = connection.invoke('Hoard', items);
      const item = 'x'.repeat(1_000);
      const count = overWebSockets ? 5_000 : 1_000; // 5 MB, or 1 MB, in all: more than the bounds below
      for (let i = 0; i < count; i++) items.next(item);
      items.complete();

      await probe.started.promise;
      // The reader has not read yet: the upload fills its buffer, then the server stops reading
      // (over WebSockets the socket has delivered a little more by then; a paused POST body has not).
      await eventually(() => probe.channel!.buffered === 10);
      const backlog = probe.connection!.inputBacklog;
      probe.release.resolve();

      expect(await result).toEqual({ count, length: count * item.length });
      expect(probe.bufferedAtRelease).toBe(10); // streamBufferCapacity's default
      expect(probe.maxBuffered).toBeLessThanOrEqual(10);
      // What waits unparsed is what the socket delivered before it paused, not the upload.
      expect(backlog).toBeLessThan(512 * 1024);
      expect(probe.maxBacklog).toBeLessThan(512 * 1024);
    });
  });

  describe('client results', () => {
    it("returns the client's value to the hub method", async () => {
      const connection = await connect();
      connection.on('Answer', (question: string) => `${question}? 42`);
      expect(await connection.invoke('AskCaller', 'meaning')).toBe('meaning? 42');
    });

    it("surfaces the client's error in the hub method", async () => {
      const connection = await connect();
      connection.on('Answer', () => {
        throw new Error('no idea');
      });
      await expect(connection.invoke('AskCaller', 'meaning')).rejects.toThrow(
        "An unexpected error occurred invoking 'AskCaller' on the server. HubException: Error: no idea",
      );
    });

    it('times out after clientResultTimeout', async () => {
      const connection = await connect('/impatient');
      connection.on('Answer', () => new Promise(() => undefined)); // never answers
      await expect(connection.invoke('AskCaller', 'meaning')).rejects.toThrow(
        "An unexpected error occurred invoking 'AskCaller' on the server. ClientResultTimeoutError: " +
          `Connection '${connection.connectionId}' did not return a result for 'Answer' within 50 ms.`,
      );
    });

    it('rejects when the client disconnects', async () => {
      const connection = await connect();
      connection.on('Answer', () => new Promise(() => undefined));
      await connection.invoke('AskLater');
      const connectionId = connection.connectionId;
      await connection.stop();
      await expect(hub.pendingAnswer).rejects.toThrow(`Connection '${connectionId}' disconnected.`);
    });

    it('works from a HubContext outside the hub', async () => {
      const connection = await connect();
      connection.on('Answer', (question: string) => question.toUpperCase());
      const context = server.app.get<HubContext>(getHubContextToken(StreamingHub));
      expect(await context.clients.client(connection.connectionId!).invoke('Answer', 'loud')).toBe('LOUD');
    });
  });

  describe('maximumParallelInvocationsPerClient', () => {
    it('with 1 (the default), a second invocation waits for the first', async () => {
      const connection = await connect();
      const { recorder } = hub;
      const a = connection.invoke('Block', 'a');
      await recorder.whenStarted('a');
      const b = connection.invoke('Block', 'b');
      // A stream runs outside the limit, and a connection's messages are handled
      // in order: once it answers, the server has seen 'b' and kept it waiting.
      await collect(connection.stream('Marker'));
      expect(recorder.started).toEqual(['a']);

      recorder.release('a');
      recorder.release('b');
      expect(await Promise.all([a, b])).toEqual(['a', 'b']);
      expect(recorder.started).toEqual(['a', 'b']);
      expect(recorder.maxRunning).toBe(1);
    });

    it('with 2, two invocations run at once and a third waits', async () => {
      const connection = await connect('/parallel');
      const { recorder } = server.app.get(ParallelHub);
      const a = connection.invoke('Block', 'a');
      const b = connection.invoke('Block', 'b');
      await recorder.whenStarted('a');
      await recorder.whenStarted('b');
      expect(recorder.running).toBe(2);
      const c = connection.invoke('Block', 'c');
      await collect(connection.stream('Marker'));
      expect(recorder.started).toEqual(['a', 'b']);

      recorder.release('a');
      await recorder.whenStarted('c');
      recorder.release('b');
      recorder.release('c');
      expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
      expect(recorder.maxRunning).toBe(2);
    });

    it('a method awaiting a client result does not block its own connection', async () => {
      const connection = await connect();
      connection.on('Answer', (question: string) => `${question}!`);
      // With one invocation at a time, the client's Completion must still get through.
      const [first, second] = await Promise.all([
        connection.invoke('AskCaller', 'one'),
        connection.invoke('AskCaller', 'two'),
      ]);
      expect([first, second]).toEqual(['one!', 'two!']);
    });
  });
});

/** Wire details the official client never produces, on a bare JSON socket. */
describe('streaming messages on the wire', () => {
  let server: RunningApp;
  let raw: RawHubSocket;

  /** The next record of the stream `id` that is not one of its items. */
  async function nextNonItem(id: string): Promise<unknown> {
    for (;;) {
      const record = (await raw.nextNonPing()) as { type: number; invocationId?: string } | undefined;
      if (record?.type !== 2 || record.invocationId !== id) return record;
    }
  }

  beforeAll(async () => {
    server = await startApp(StreamingTestModule);
  });
  beforeEach(async () => {
    raw = await RawHubSocket.connect(`${server.url}/streaming`);
  });
  afterEach(() => raw.close());
  afterAll(() => server.close());

  it('refuses a stream invocation that reuses an active id, and the first stream goes on', async () => {
    raw.send({ type: 4, invocationId: 's', target: 'Endless', arguments: [] });
    expect(await raw.nextNonPing()).toEqual({ type: 2, invocationId: 's', item: expect.any(Number) });
    raw.send({ type: 4, invocationId: 's', target: 'Counter', arguments: [1] });
    expect(await nextNonItem('s')).toEqual({
      type: 3,
      invocationId: 's',
      error: "Invocation ID 's' is already in use.",
    });
    expect(await raw.nextNonPing()).toEqual({ type: 2, invocationId: 's', item: expect.any(Number) });

    // Cancelled, the stream still ends with a Completion without error, as in ASP.NET Core.
    raw.send({ type: 5, invocationId: 's' });
    expect(await nextNonItem('s')).toEqual({ type: 3, invocationId: 's' });
  });

  it('refuses an upload stream id that is already open', async () => {
    raw.send({ type: 1, invocationId: '1', target: 'Sum', arguments: [], streamIds: ['u'] });
    raw.send({ type: 1, invocationId: '2', target: 'Sum', arguments: [], streamIds: ['u'] });
    expect(await raw.nextNonPing()).toEqual({
      type: 3,
      invocationId: '2',
      error: "Invocation ID 'u' is already in use.",
    });
    raw.send({ type: 2, invocationId: 'u', item: 40 });
    raw.send({ type: 2, invocationId: 'u', item: 2 });
    raw.send({ type: 3, invocationId: 'u' });
    expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1', result: 42 });
  });

  it('ignores items, completions and cancellations for unknown ids', async () => {
    raw.send({ type: 2, invocationId: 'nope', item: 1 });
    raw.send({ type: 3, invocationId: 'nope', result: 1 });
    raw.send({ type: 5, invocationId: 'nope' });
    raw.send({ type: 4, invocationId: '1', target: 'Counter', arguments: [2] });
    expect(await raw.nextNonPing()).toEqual({ type: 2, invocationId: '1', item: 0 });
    expect(await raw.nextNonPing()).toEqual({ type: 2, invocationId: '1', item: 1 });
    expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1' });
  });
});
