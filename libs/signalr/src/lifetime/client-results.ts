import type { CompletionMessage } from '../protocol/hub-message.js';

interface PendingResult {
  connectionId: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * Invocations the server sent to clients and whose Completion it awaits
 * (ASP.NET Core's ClientResultsManager). Ids are a prefix + a counter: "s" by
 * default, so they never clash with the ids clients give their own upload
 * streams; a backplane gives each node its own prefix, so that invocations
 * from several nodes to one connection never share an id.
 */
export class ClientResults {
  private readonly pending = new Map<string, PendingResult>();
  private counter = 0;

  constructor(private readonly prefix = 's') {}

  nextInvocationId(): string {
    return `${this.prefix}${++this.counter}`;
  }

  /**
   * Waits for the Completion of `invocationId`, at most `timeout` ms
   * (`Infinity` or 0: no limit). Client results are rare, so a timer each is fine.
   */
  add<T>(invocationId: string, connectionId: string, timeout = Infinity): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: PendingResult = { connectionId, resolve: resolve as (value: unknown) => void, reject };
      if (timeout > 0 && Number.isFinite(timeout)) {
        pending.timer = setTimeout(() => this.expire(invocationId, pending, timeout), timeout).unref();
      }
      this.pending.set(invocationId, pending);
    });
  }

  /** False when no invocation waits for this id, or another connection answers. */
  complete(connectionId: string, completion: CompletionMessage): boolean {
    const pending = this.pending.get(completion.invocationId);
    if (!pending || pending.connectionId !== connectionId) return false;
    this.settle(completion.invocationId, pending);
    if (completion.error !== undefined) pending.reject(new Error(completion.error));
    else pending.resolve(completion.result);
    return true;
  }

  /** Fails every invocation waiting on a connection that has gone. */
  cancelConnection(connectionId: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.connectionId !== connectionId) continue;
      this.settle(id, pending);
      pending.reject(new Error(`Connection '${connectionId}' disconnected.`));
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private expire(invocationId: string, pending: PendingResult, timeout: number): void {
    if (this.pending.get(invocationId) !== pending) return;
    this.pending.delete(invocationId);
    pending.reject(
      new Error(`Connection '${pending.connectionId}' did not answer invocation '${invocationId}' within ${timeout} ms.`),
    );
  }

  private settle(invocationId: string, pending: PendingResult): void {
    this.pending.delete(invocationId);
    if (pending.timer) clearTimeout(pending.timer);
  }
}
