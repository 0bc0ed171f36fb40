import { isObservable, type Observer, type Subscription } from 'rxjs';
import { MessageType, type StreamItemMessage } from '../protocol/hub-message.js';
import { fromAsyncIterable, isAsyncIterable } from './async-iterable-observable.js';
import type { HubInvocationContext } from './hub-invocation-context.js';
import { NotAStreamError } from './streaming-method.js';
import type { UploadChannel } from './upload-channel.js';

/**
 * One server-to-client stream (a StreamInvocation): a StreamItem for each
 * item the hub method's stream emits, then one Completion, also after a
 * cancellation (as ASP.NET Core). The client's CancelInvocation or the end of
 * the connection abort the invocation's signal and unsubscribe, which stops
 * the method's Observable or ends its async generator, so no work goes on for
 * a stream nobody reads, at whatever moment the cancellation comes.
 */
export class ServerStream implements Observer<unknown> {
  private subscription?: Subscription;
  private finished = false;

  constructor(
    readonly invocation: HubInvocationContext,
    /** Writes the Completion and forgets the stream; called once. */
    private readonly onFinished: (stream: ServerStream) => void,
    /** Upload streams the method reads (a stream that echoes a stream). */
    readonly uploads?: { readonly ids: readonly string[]; readonly channels: readonly UploadChannel[] },
  ) {}

  get invocationId(): string {
    return this.invocation.invocationId!;
  }

  /**
   * Subscribes to what the hub method returned (its Observable, through
   * Nest's interceptors). A stream cancelled while the method was being
   * called (guards, interceptors, pipes, the method itself) is subscribed
   * and unsubscribed at once all the same: the method has run, so its clean-up
   * (Observable teardown, generator `finally`) must run too.
   */
  start(result: unknown): void {
    if (isObservable(result)) {
      this.subscription = result.subscribe(this);
    } else if (isAsyncIterable(result)) {
      this.subscription = fromAsyncIterable(result, this.invocation.connection).subscribe(this);
    } else if (!this.finished) {
      this.invocation.fail(new NotAStreamError());
      this.finish();
    }
    if (this.finished) this.subscription?.unsubscribe();
  }

  next(item: unknown): void {
    if (this.finished) return;
    const message: StreamItemMessage = { type: MessageType.StreamItem, invocationId: this.invocationId, item };
    try {
      this.invocation.connection.writeMessage(message);
    } catch (error) {
      // An item the protocol cannot serialize ends the stream with an error.
      this.invocation.fail(error);
      this.cancel();
    }
  }

  error(error: unknown): void {
    this.invocation.fail(error);
    this.finish();
  }

  complete(): void {
    this.finish();
  }

  /** The client cancelled, or the connection closed: stop the method's stream. */
  cancel(): void {
    if (this.finished) return;
    this.invocation.abort();
    this.finish();
    this.subscription?.unsubscribe();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.onFinished(this);
  }
}
