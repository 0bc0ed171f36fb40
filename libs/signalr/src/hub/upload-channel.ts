/** What an upload channel needs of its connection: to start reading again. */
export interface ReceiveFlow {
  resumeReceiving(): void;
}

interface PendingRead<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never> = { value: undefined, done: true };

/**
 * One upload stream (client to server): the items a client sends under one
 * stream id, read by the hub method as an `AsyncIterable` (ASP.NET Core's
 * bounded channel in StreamTracker). At most `capacity` items wait here: when
 * the buffer fills, `write()` says so and the connection stops reading its
 * input until the method takes an item, so a slow reader holds the client
 * back instead of growing the server's memory. One reader at a time.
 */
export class UploadChannel<T = unknown> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private pendingRead?: PendingRead<T>;
  private completed = false;
  private error?: unknown;
  /** The hub method is done with the stream: later items are dropped. */
  private abandoned = false;

  constructor(
    private readonly capacity: number,
    private readonly flow: ReceiveFlow,
  ) {}

  /** Items waiting for the reader. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Hands over an item; false when the buffer is now full and input must stop. */
  write(item: T): boolean {
    if (this.completed || this.abandoned) return true;
    const read = this.pendingRead;
    if (read) {
      this.pendingRead = undefined;
      read.resolve({ value: item, done: false });
      return true;
    }
    this.buffer.push(item);
    return this.buffer.length < this.capacity;
  }

  /** The client completed the stream; with an error, the reader throws it after the buffered items. */
  complete(error?: unknown): void {
    if (this.completed) return;
    this.completed = true;
    this.error = error;
    const read = this.pendingRead;
    if (!read) return;
    this.pendingRead = undefined;
    if (error === undefined) read.resolve(DONE);
    else read.reject(error);
  }

  /** The invocation ended or the reader left early: drop what waits, and let the input flow again. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const wasFull = this.buffer.length >= this.capacity;
    this.buffer.length = 0;
    this.complete();
    if (wasFull) this.flow.resumeReceiving();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) {
      const wasFull = this.buffer.length >= this.capacity;
      const value = this.buffer.shift() as T;
      if (wasFull) this.flow.resumeReceiving();
      return Promise.resolve({ value, done: false });
    }
    if (this.completed) {
      const error = this.error;
      if (error === undefined) return Promise.resolve(DONE);
      this.error = undefined; // thrown once; the stream is over after that
      return Promise.reject(error);
    }
    if (this.pendingRead) return Promise.reject(new Error('An upload stream has one reader at a time.'));
    return new Promise((resolve, reject) => (this.pendingRead = { resolve, reject }));
  }

  /** `break` out of `for await`: the method wants no more items. */
  return(): Promise<IteratorResult<T>> {
    this.abandon();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
