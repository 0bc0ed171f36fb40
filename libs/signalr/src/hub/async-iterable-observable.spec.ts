import { fromAsyncIterable, type WriteFlow } from './async-iterable-observable.js';

/** An output that has room only when the test says so. */
class TestFlow implements WriteFlow {
  full = false;
  private room?: () => void;
  whenWritable(): Promise<void> | undefined {
    if (!this.full) return undefined;
    return new Promise((resolve) => (this.room = resolve));
  }
  makeRoom(): void {
    this.full = false;
    this.room?.();
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('fromAsyncIterable', () => {
  it('emits every item, then completes', async () => {
    async function* three() {
      yield 1;
      yield 2;
      yield 3;
    }
    const items: number[] = [];
    await new Promise<void>((complete) =>
      fromAsyncIterable(three()).subscribe({ next: (i) => items.push(i), complete }),
    );
    expect(items).toEqual([1, 2, 3]);
  });

  it('pulls nothing while the output is full', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) yield ++pulled;
    }
    const flow = new TestFlow();
    const items: number[] = [];
    // The output fills up every third item (the connection's does every 16 KB).
    const subscription = fromAsyncIterable(endless(), flow).subscribe((item) => {
      items.push(item);
      if (items.length % 3 === 0) flow.full = true;
    });
    await turn();
    expect(items).toEqual([1, 2, 3]);
    expect(pulled).toBe(3);

    flow.makeRoom();
    await turn();
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pulled).toBe(6);
    subscription.unsubscribe();
  });

  it('ends the generator when unsubscribed, running its finally block', async () => {
    let finished = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) {
          yield i;
          await turn();
        }
      } finally {
        finished = true;
      }
    }
    const subscription = fromAsyncIterable(endless()).subscribe();
    await turn();
    subscription.unsubscribe();
    await turn();
    await turn();
    expect(finished).toBe(true);
  });

  it('passes an error from the generator on', async () => {
    async function* failing() {
      yield 1;
      throw new Error('kaput');
    }
    const error = await new Promise((resolve) => fromAsyncIterable(failing()).subscribe({ error: resolve }));
    expect(error).toEqual(new Error('kaput'));
  });
});
