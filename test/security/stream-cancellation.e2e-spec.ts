import type { HubConnection, IStreamResult } from '@microsoft/signalr';
import { connectHub } from '../support/hub-client.js';
import { RawHubSocket } from '../support/raw-socket.js';
import { type RunningApp, startApp } from '../support/test-app.js';
import { CancellationHub, CancellationModule } from './cancellation-hub.js';

/** One WebSocket message carrying a StreamInvocation and its CancelInvocation: one read on the server. */
function streamThenCancel(invocationId: string, target: string): string {
  const stream = { type: 4, invocationId, target, arguments: [] };
  return JSON.stringify(stream) + RS + JSON.stringify({ type: 5, invocationId }) + RS;
}

/**
 * Issue 13, item 4: a stream's cancellation is reliable at every moment of
 * its invocation: before Nest's pipeline has resolved (a slow guard or
 * interceptor), in the same read as the StreamInvocation, during the first
 * item, after completion (a no-op). The method's clean-up always runs, and
 * its `@HubAbortSignal()` aborts.
 */

const RS = '\x1e';
const TRIES = 100;

type Method = keyof CancellationHub['cleanups'];
const METHODS: [Method, string][] = [
  ['observable', 'Observable teardown'],
  ['generator', 'async generator finally'],
  ['guarded', 'teardown, cancelled while an async guard runs'],
  ['signal', 'finally of a method awaiting its AbortSignal'],
];
const TARGETS: Record<Method, string> = {
  observable: 'Observable',
  generator: 'Generator',
  guarded: 'Guarded',
  intercepted: 'Intercepted',
  signal: 'WaitsForSignal',
};

describe('security: stream cancellation', () => {
  let server: RunningApp;
  let hub: CancellationHub;

  beforeAll(async () => {
    server = await startApp(CancellationModule);
    hub = server.app.get(CancellationHub);
  });
  afterAll(() => server.close());

  /** Reads records until the Completion of `invocationId`; items before it are allowed. */
  async function completionOf(socket: RawHubSocket, invocationId: string): Promise<unknown> {
    for (;;) {
      const record = (await socket.nextNonPing()) as { type: number; invocationId?: string } | undefined;
      if (record === undefined) throw new Error('The connection closed before the Completion.');
      if (record.type === 3 && record.invocationId === invocationId) return record;
      expect(record).toMatchObject({ type: 2, invocationId });
    }
  }

  it.each(METHODS)(
    `StreamInvocation and CancelInvocation in one WebSocket frame: %s runs ${TRIES} times of ${TRIES}`,
    async (method) => {
      const counter = hub.cleanups[method];
      const before = counter.count;
      const socket = await RawHubSocket.connect(`${server.url}/cancellation`);
      for (let i = 0; i < TRIES; i++) {
        const invocationId = `${method}-${i}`;
        socket.sendText(streamThenCancel(invocationId, TARGETS[method]));
        // A cancelled stream still gets its Completion, without an error (as ASP.NET Core).
        expect(await completionOf(socket, invocationId)).toEqual({ type: 3, invocationId });
        await counter.reached(before + i + 1);
      }
      expect(counter.count).toBe(before + TRIES);
      expect(counter.started).toBe(counter.count);
      socket.close();
      await socket.closed;
    },
  );

  it(`cancelled while an async interceptor runs, ${TRIES} times: the method's stream is never started, or torn down`, async () => {
    // Nest calls the method only once the interceptor hands on its stream,
    // and the cancel unsubscribed from the interceptor's chain before that.
    const counter = hub.cleanups.intercepted;
    const socket = await RawHubSocket.connect(`${server.url}/cancellation`);
    for (let i = 0; i < TRIES; i++) {
      const invocationId = `intercepted-${i}`;
      socket.sendText(streamThenCancel(invocationId, 'Intercepted'));
      expect(await completionOf(socket, invocationId)).toEqual({ type: 3, invocationId });
    }
    // One stream that runs until its first item, then is cancelled: by its
    // clean-up, every earlier interceptor has long handed on (or not) its stream.
    const cleanupsBefore = counter.count;
    socket.send({ type: 4, invocationId: 'last', target: 'Intercepted', arguments: [] });
    expect(await socket.nextNonPing()).toMatchObject({ type: 2, invocationId: 'last' });
    socket.send({ type: 5, invocationId: 'last' });
    await completionOf(socket, 'last');
    await counter.reached(cleanupsBefore + 1);
    expect(counter.started).toBe(counter.count);
    socket.close();
    await socket.closed;
  });

  it('a method cancelled before it started sees its AbortSignal already aborted', async () => {
    const before = hub.abortedOnEntry;
    const socket = await RawHubSocket.connect(`${server.url}/cancellation`);
    const stream = { type: 4, invocationId: 'a', target: 'WaitsForSignal', arguments: [] };
    socket.sendText(JSON.stringify(stream) + RS + JSON.stringify({ type: 5, invocationId: 'a' }) + RS);
    expect(await completionOf(socket, 'a')).toEqual({ type: 3, invocationId: 'a' });
    await hub.cleanups.signal.reached(hub.cleanups.signal.count);
    expect(hub.abortedOnEntry).toBe(before + 1);
    socket.close();
    await socket.closed;
  });

  describe('with the official client', () => {
    let client: HubConnection;
    beforeEach(async () => {
      client = await connectHub(`${server.url}/cancellation`);
    });
    afterEach(() => client.stop());

    it.each(METHODS)('cancelled during the first item: %s runs', async (method) => {
      const counter = hub.cleanups[method];
      const before = counter.count;
      const first = new Promise<void>((resolve) => {
        const subscription = client.stream(TARGETS[method]).subscribe({
          next: () => {
            subscription.dispose();
            resolve();
          },
          error: () => undefined,
          complete: () => undefined,
        });
        // The signal method never yields: the client gives up right after subscribing.
        if (method === 'signal') {
          subscription.dispose();
          resolve();
        }
      });
      await first;
      await counter.reached(before + 1);
      expect(counter.count).toBe(before + 1);
      // The connection goes on.
      expect(await collect(client.stream('Finite', 3))).toEqual([0, 1, 2]);
    });

    it('the connection closing ends every running stream: clean-ups run', async () => {
      const before = hub.cleanups.generator.count;
      const seen = new Promise<void>((resolve) =>
        client
          .stream('Generator')
          .subscribe({ next: () => resolve(), error: () => undefined, complete: () => undefined }),
      );
      await seen;
      await client.stop();
      await hub.cleanups.generator.reached(before + 1);
    });
  });

  it('a cancel after the completion is a no-op: no answer, and the connection goes on', async () => {
    const socket = await RawHubSocket.connect(`${server.url}/cancellation`);
    socket.send({ type: 4, invocationId: 'f', target: 'Finite', arguments: [2] });
    expect(await socket.nextNonPing()).toEqual({ type: 2, invocationId: 'f', item: 0 });
    expect(await socket.nextNonPing()).toEqual({ type: 2, invocationId: 'f', item: 1 });
    expect(await socket.nextNonPing()).toEqual({ type: 3, invocationId: 'f' });
    socket.send({ type: 5, invocationId: 'f' });
    // The next answer is the next invocation's: the cancel produced nothing.
    socket.send({ type: 4, invocationId: 'g', target: 'Finite', arguments: [1] });
    expect(await socket.nextNonPing()).toEqual({ type: 2, invocationId: 'g', item: 0 });
    expect(await socket.nextNonPing()).toEqual({ type: 3, invocationId: 'g' });
    socket.close();
    await socket.closed;
  });
});

function collect<T>(stream: IStreamResult<T>): Promise<T[]> {
  const items: T[] = [];
  return new Promise((resolve, reject) =>
    stream.subscribe({ next: (item) => items.push(item), error: reject, complete: () => resolve(items) }),
  );
}
