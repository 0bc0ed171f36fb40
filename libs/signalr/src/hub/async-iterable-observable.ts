import { Observable } from 'rxjs';

/** What a server stream needs of its connection: to know when its output has room. */
export interface WriteFlow {
  /** Undefined while the output has room; otherwise resolves once it has. */
  whenWritable(): Promise<void> | undefined;
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Turns an AsyncIterable (an `async *` hub method) into an Observable, so that
 * Nest's interceptors can `map` or `tap` its items like any stream. Unlike
 * RxJS's `from()`, it pulls the next item only when the connection's output
 * has room, so an endless fast generator waits for a slow client instead of
 * filling the server's memory; unsubscribing (a CancelInvocation, a closed
 * connection) calls the iterator's `return()`, which ends the generator at its
 * next `yield` and runs its `finally` blocks.
 */
export function fromAsyncIterable<T>(iterable: AsyncIterable<T>, flow?: WriteFlow): Observable<T> {
  return new Observable<T>((subscriber) => {
    const iterator = iterable[Symbol.asyncIterator]();
    const pull = async () => {
      try {
        for (;;) {
          const writable = flow?.whenWritable();
          if (writable) await writable;
          if (subscriber.closed) return;
          const result = await iterator.next();
          if (subscriber.closed) return;
          if (result.done) {
            subscriber.complete();
            return;
          }
          subscriber.next(result.value);
        }
      } catch (error) {
        subscriber.error(error);
      }
    };
    void pull();
    return () => {
      // Ends the iterator; errors from its clean-up have no one left to reach.
      try {
        Promise.resolve(iterator.return?.()).catch(ignore);
      } catch {
        // a synchronous throw from return(): same
      }
    };
  });
}

function ignore(): void {}
