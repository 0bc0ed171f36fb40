import { PostedInput } from './posted-input.js';
import type { TransportReceiver } from './transport.js';

/**
 * What Server-Sent Events and long polling share: the client's sends arrive
 * as POST bodies, read one at a time and paused when the connection asks.
 */
export abstract class PostingTransport {
  protected receiver?: TransportReceiver;
  /** The client's sends (POST bodies). */
  readonly input = new PostedInput();
  /** The connection has ended. */
  protected ended = false;

  /** Whether POSTs may still deliver input. */
  get receiving(): boolean {
    return !this.ended;
  }

  pause(): void {
    this.input.pause();
  }

  resume(): void {
    this.input.resume();
  }
}
