import { type HubMessage, MessageType } from '../protocol/hub-message.js';
import { HubProtocolError } from '../protocol/hub-protocol-error.js';

/**
 * Whether a message is counted and acknowledged by stateful reconnect: the
 * hub invocation messages (Invocation to CancelInvocation). Ping, Close, Ack
 * and Sequence are not.
 */
export function isTrackable(type: MessageType): boolean {
  return type <= MessageType.CancelInvocation;
}

/**
 * The stateful reconnect bookkeeping of one connection (ASP.NET Core's
 * MessageBuffer). Both directions number their trackable messages 1, 2, 3…
 *
 * Output: every trackable message sent stays here, framed, until the client
 * acknowledges it; after a drop the new transport gets a Sequence with the
 * id of the first one kept, then all of them again, in order (the client
 * discards those it already has). The bytes kept are bounded by `limit`.
 *
 * Input: counts the client's trackable messages, discards the repeats it
 * sends after a reconnect, and tells which id to acknowledge.
 */
export class MessageBuffer {
  /** Unacknowledged messages from `head` on; `messages[head]` has id `firstId`. */
  private messages: (Buffer | undefined)[] = [];
  private head = 0;
  private firstId = 1;
  private bytes = 0;
  private roomWaiters?: (() => void)[];

  /** Id the client's next trackable message gets. */
  private nextReceivingId = 1;
  /** Highest id of a client message processed, and the highest acknowledged to the client. */
  private latestReceivedId = 0;
  private lastAckedId = 0;
  /** After a reconnect the client's messages are dropped until its Sequence. */
  private waitingForSequence = false;

  constructor(readonly limit: number) {}

  /** Bytes of the messages the client has not acknowledged yet. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  get bufferedCount(): number {
    return this.messages.length - this.head;
  }

  // ---- output -------------------------------------------------------------

  /**
   * Keeps a trackable message just sent (or to be sent after a reconnect).
   * False when that puts more than `limit` bytes in the buffer: the
   * connection must end (a lone message is let through whatever its size).
   */
  add(message: Buffer): boolean {
    this.messages.push(message);
    this.bytes += message.length;
    return this.bytes <= this.limit || this.messages.length - this.head === 1;
  }

  /** The client has every message up to `sequenceId`: forget them. */
  ack(sequenceId: number): void {
    const count = Math.min(sequenceId - this.firstId + 1, this.messages.length - this.head);
    if (!(count > 0)) return;
    const messages = this.messages;
    for (let end = this.head + count; this.head < end; this.head++) {
      this.bytes -= messages[this.head]!.length;
      messages[this.head] = undefined;
    }
    this.firstId += count;
    if (this.head === messages.length) {
      this.messages = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= messages.length) {
      this.messages = messages.slice(this.head);
      this.head = 0;
    }
    if (this.roomWaiters && this.bytes <= this.limit / 2) this.wakeRoomWaiters();
  }

  /**
   * Undefined while the buffer is at most half full; otherwise a promise
   * that resolves once acknowledgements brought it there (or `dispose()`):
   * server streams wait on it rather than overflow the buffer.
   */
  whenRoom(): Promise<void> | undefined {
    if (this.bytes <= this.limit / 2) return undefined;
    return new Promise((resolve) => (this.roomWaiters ??= []).push(resolve));
  }

  /**
   * A new transport took over: returns the id for the Sequence message that
   * goes first on it (the first unacknowledged message's, or the next id when
   * there is none); `forEachUnacknowledged` then gives what follows it. The
   * client's messages are dropped until its own Sequence.
   */
  reconnected(): number {
    this.waitingForSequence = true;
    // The last Ack may have been lost with the old transport: send it again.
    this.lastAckedId = 0;
    return this.firstId;
  }

  forEachUnacknowledged(write: (message: Buffer) => void): void {
    const messages = this.messages;
    for (let i = this.head; i < messages.length; i++) write(messages[i]!);
  }

  /** The connection ended: free the messages, let waiting streams go on (to their end). */
  dispose(): void {
    this.messages = [];
    this.head = 0;
    this.bytes = 0;
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = undefined;
    if (waiters) for (const wake of waiters) wake();
  }

  // ---- input --------------------------------------------------------------

  /**
   * Whether a message from the client is to be processed: false while a
   * reconnect waits for the client's Sequence, and for a trackable message
   * already processed before the drop.
   */
  shouldProcess(message: HubMessage): boolean {
    if (this.waitingForSequence) {
      if (message.type !== MessageType.Sequence) return false;
      this.waitingForSequence = false;
      return true;
    }
    if (!isTrackable(message.type)) return true;
    const id = this.nextReceivingId++;
    if (id <= this.latestReceivedId) return false;
    this.latestReceivedId = id;
    return true;
  }

  /** The client's Sequence: the id of the first message it sends again. */
  resetSequence(sequenceId: number): void {
    if (sequenceId > this.nextReceivingId) {
      throw new HubProtocolError("Sequence ID greater than amount of messages we've received.");
    }
    this.nextReceivingId = sequenceId;
  }

  /** The id to acknowledge if the client sent something since the last Ack, else undefined. */
  takeAck(): number | undefined {
    if (this.latestReceivedId <= this.lastAckedId) return undefined;
    return (this.lastAckedId = this.latestReceivedId);
  }
}
