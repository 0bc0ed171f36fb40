import { HubException } from '../hub/hub-exception.js';
import type { CompletionMessage } from '../protocol/hub-message.js';

interface PendingResult {
  connectionId: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Stops listening to the caller's AbortSignal. */
  release?(): void;
}

/**
 * Invocations the server sent to clients and whose Completion it awaits
 * (ASP.NET Core's ClientResultsManager). Ids are a prefix + a counter: "s"
 * by default, so they never clash with the ids clients give their own upload
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

  /** Awaits the client's Completion for `invocationId`; `signal` gives up on it (a timeout). */
  add<T>(invocationId: string, connectionId: string, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: PendingResult = { connectionId, resolve: resolve as (value: unknown) => void, reject };
      this.pending.set(invocationId, pending);
      if (!signal) return;
      const onAbort = () => {
        if (this.pending.get(invocationId) !== pending) return;
        this.pending.delete(invocationId); // a late answer is ignored
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.release = () => signal.removeEventListener('abort', onAbort);
    });
  }

  /** False when no invocation waits for this id, or another connection answers. */
  complete(connectionId: string, completion: CompletionMessage): boolean {
    const pending = this.pending.get(completion.invocationId);
    if (!pending || pending.connectionId !== connectionId) return false;
    this.pending.delete(completion.invocationId);
    pending.release?.();
    // As in ASP.NET Core, the client's error text reaches the server as a HubException.
    if (completion.error !== undefined) pending.reject(new HubException(completion.error));
    else pending.resolve(completion.result);
    return true;
  }

  /** Fails an invocation for a reason of the server's (not the client's answer); false if none waits. */
  fail(connectionId: string, invocationId: string, error: Error): boolean {
    const pending = this.pending.get(invocationId);
    if (!pending || pending.connectionId !== connectionId) return false;
    this.pending.delete(invocationId);
    pending.release?.();
    pending.reject(error);
    return true;
  }

  /** Fails every invocation waiting on a connection that has gone. */
  cancelConnection(connectionId: string): void {
    this.cancelConnections((id) => id === connectionId);
  }

  /** Fails every invocation waiting on a connection that `gone` says has gone (all those of a node). */
  cancelConnections(gone: (connectionId: string) => boolean): void {
    for (const [id, pending] of this.pending) {
      if (!gone(pending.connectionId)) continue;
      this.pending.delete(id);
      pending.release?.();
      pending.reject(new Error(`Connection '${pending.connectionId}' disconnected.`));
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
