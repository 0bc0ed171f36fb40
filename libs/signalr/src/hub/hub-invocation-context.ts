import type { InvocationTelemetry } from '../diagnostics/invocation-telemetry.js';
import type { HubConnectionContext } from './hub-connection-context.js';

/**
 * One invocation in flight. Nest hands it to guards, interceptors, pipes and
 * filters as the third handler argument (`host.getArgByIndex(2)`), which is how
 * the hub's exception filter reports the error back to the dispatcher.
 */
export class HubInvocationContext {
  error?: unknown;
  failed = false;
  /** Gave its slot back early, to await a client result. */
  slotReleased = false;
  /** A streaming method returned its stream: errors from now on are streaming errors. */
  streamOpened = false;
  /** Its timing and span, when something listens. */
  telemetry?: InvocationTelemetry;
  /** Made on first use of `signal`: most invocations never ask for one. */
  private controller?: AbortController;
  private aborted = false;

  constructor(
    readonly connection: HubConnectionContext,
    readonly target: string,
    readonly invocationId: string | undefined,
  ) {}

  /**
   * Aborts when the client cancels the stream (CancelInvocation) or its
   * connection ends while the stream runs: ASP.NET Core's CancellationToken of
   * a streaming hub method. Hub methods receive it with `@HubAbortSignal()`.
   */
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** Cancels the invocation: its signal aborts (at once if it is asked for later). */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    (this.controller ??= new AbortController()).abort();
  }

  fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.error = error;
  }
}
