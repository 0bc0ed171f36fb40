import type { CompletionMessage } from '../protocol/hub-message.js';

interface PendingResult {
  connectionId: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Invocations the server sent to clients and whose Completion it awaits
 * (ASP.NET Core's ClientResultsManager). Ids are "s" + a counter, so they never
 * clash with the ids clients give their own upload streams.
 */
export class ClientResults {
  private readonly pending = new Map<string, PendingResult>();
  private counter = 0;

  nextInvocationId(): string {
    return `s${++this.counter}`;
  }

  add<T>(invocationId: string, connectionId: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.set(invocationId, { connectionId, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** False when no invocation waits for this id, or another connection answers. */
  complete(connectionId: string, completion: CompletionMessage): boolean {
    const pending = this.pending.get(completion.invocationId);
    if (!pending || pending.connectionId !== connectionId) return false;
    this.pending.delete(completion.invocationId);
    if (completion.error !== undefined) pending.reject(new Error(completion.error));
    else pending.resolve(completion.result);
    return true;
  }

  /** Fails every invocation waiting on a connection that has gone. */
  cancelConnection(connectionId: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.connectionId !== connectionId) continue;
      this.pending.delete(id);
      pending.reject(new Error(`Connection '${connectionId}' disconnected.`));
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
