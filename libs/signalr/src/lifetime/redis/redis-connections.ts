import type { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { type Flushable, scheduleFlush } from '../../transports/write-coalescer.js';
import { newNodeId } from './node-ids.js';
import { isFromSender, senderPrefix } from './redis-protocol.js';

export type ChannelHandler = (payload: Buffer) => void;

/** Channels per SUBSCRIBE command when resubscribing after a reconnect. */
const SUBSCRIBE_BATCH = 1000;
const DONE = Promise.resolve();
const noop = () => {};

/** A publish that needs an answer (group command, client result) could not reach Redis. */
export class RedisUnavailableError extends Error {
  constructor() {
    super('The Redis backplane is unavailable.');
    this.name = 'RedisUnavailableError';
  }
}

/**
 * The pair of Redis connections one app shares among its hubs: one publishes,
 * one subscribes (a subscribed connection does nothing else). This is where
 * faults are handled:
 * - Publishing never queues: while Redis is down, or when more than
 *   `maxPendingPublishes` publishes await Redis, a message for other nodes is
 *   dropped at once (at most once delivery), so a dead Redis costs neither
 *   memory nor event-loop time, and local delivery goes on.
 * - The subscriptions wanted are kept here, not in ioredis: each reconnect
 *   subscribes them all again, whatever happened to commands in flight.
 * - A node ignores its own messages echoed by Redis: it has already
 *   delivered them to its connections (which keeps local delivery working
 *   without Redis).
 */
export class RedisConnections implements Flushable {
  readonly nodeId = newNodeId();
  private readonly ownPrefix = senderPrefix(this.nodeId);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly handlers = new Map<string, ChannelHandler>();
  /** SUBSCRIBE commands in flight, by channel. */
  private readonly confirmations = new Map<string, Promise<void>>();
  private pendingPublishes = 0;
  /** The publisher's socket while it holds this turn's publishes, to write them at once. */
  private corked?: Redis['stream'];
  private droppedPublishes = 0;
  /** False from the first dropped message (or lost connection) until Redis is back: logs once per outage. */
  private healthy = true;
  /** The subscriber has subscribed to every channel wanted since it last connected. */
  private subscriptionsRestored = false;
  private connectedWaiters: (() => void)[] = [];
  private closed = false;
  /** Settles once both connections are up and subscribed for the first time, or one has failed to. */
  readonly firstAttempt: Promise<void>;
  private endFirstAttempt!: () => void;

  constructor(
    url: string | undefined,
    options: RedisOptions,
    private readonly maxPendingPublishes: number,
    private readonly logger: Logger,
  ) {
    this.firstAttempt = new Promise((resolve) => (this.endFirstAttempt = resolve));
    const base: RedisOptions = {
      ...options,
      // Commands never wait for a connection, and those in flight when it
      // drops fail at once instead of being sent again.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    };
    this.publisher = create(url, { ...base, connectionName: `signalr-pub-${this.nodeId}` });
    this.subscriber = create(url, {
      ...base,
      connectionName: `signalr-sub-${this.nodeId}`,
      autoResubscribe: false,
    });

    this.publisher.on('ready', () => this.checkConnected());
    this.publisher.on('close', () => {
      this.endFirstAttempt();
      this.failed();
    });
    this.publisher.on('error', (error: Error) => this.failed(error));
    this.subscriber.on('error', (error: Error) => this.failed(error));
    this.subscriber.on('close', () => {
      this.subscriptionsRestored = false;
      this.endFirstAttempt();
      this.failed();
    });
    this.subscriber.on('ready', () => this.resubscribe());
    this.subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.dispatch(channel, payload));
  }

  /** Both connections are up and every wanted channel is subscribed. */
  get connected(): boolean {
    return (
      !this.closed &&
      this.subscriptionsRestored &&
      this.publisher.status === 'ready' &&
      this.subscriber.status === 'ready'
    );
  }

  /** Resolves when {@link connected} (health checks, tests). */
  whenConnected(): Promise<void> {
    if (this.connected) return DONE;
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Messages for other nodes dropped since start (Redis down or too slow). */
  get droppedCount(): number {
    return this.droppedPublishes;
  }

  /**
   * Routes `channel` to `handler` and subscribes to it. Resolves once Redis
   * has confirmed the subscription, or at once while Redis is down (the
   * subscription is made when it is back); never rejects. Idempotent.
   */
  subscribe(channel: string, handler: ChannelHandler): Promise<void> {
    if (this.closed) return DONE;
    const known = this.handlers.has(channel);
    this.handlers.set(channel, handler);
    if (known) return this.confirmations.get(channel) ?? DONE;
    if (this.subscriber.status !== 'ready') return DONE;
    return this.sendSubscribe([channel]).then(noop);
  }

  unsubscribe(channel: string): void {
    if (!this.handlers.delete(channel)) return;
    this.confirmations.delete(channel);
    if (this.subscriber.status === 'ready') this.subscriber.unsubscribe(channel).catch(noop);
  }

  /** Fire and forget: the message is dropped if Redis cannot take it now. */
  publish(channel: string, payload: Buffer): void {
    if (!this.canPublish()) {
      this.dropped();
      return;
    }
    this.pendingPublishes++;
    this.cork();
    this.publisher.publish(channel, payload).then(this.published, this.publishFailed);
  }

  /** Resolves with the number of nodes that received the message; rejects when Redis cannot take it. */
  publishAndCount(channel: string, payload: Buffer): Promise<number> {
    if (!this.canPublish()) return Promise.reject(new RedisUnavailableError());
    this.pendingPublishes++;
    this.cork();
    return this.publisher.publish(channel, payload).then(
      (receivers) => {
        this.published();
        return receivers;
      },
      () => {
        this.pendingPublishes--;
        throw new RedisUnavailableError();
      },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.confirmations.clear();
    this.endFirstAttempt();
    await Promise.all([quit(this.publisher), quit(this.subscriber)]);
  }

  /**
   * ioredis writes each command to the socket at once: a write (a system
   * call) per publish would cost more than the rest of a publish. Like
   * connections' output (write-coalescer.ts), this turn's publishes leave
   * together, in order, when the turn ends.
   */
  private cork(): void {
    if (this.corked) return;
    const stream = this.publisher.stream;
    stream.cork();
    this.corked = stream;
    scheduleFlush(this);
  }

  flush(): void {
    const stream = this.corked;
    this.corked = undefined;
    stream?.uncork();
  }

  private canPublish(): boolean {
    return !this.closed && this.publisher.status === 'ready' && this.pendingPublishes < this.maxPendingPublishes;
  }

  private readonly published = (): void => {
    this.pendingPublishes--;
    if (!this.healthy) this.checkConnected();
  };

  private readonly publishFailed = (): void => {
    this.pendingPublishes--;
    this.dropped();
  };

  private dropped(): void {
    this.droppedPublishes++;
    if (this.closed || !this.healthy) return;
    this.healthy = false;
    this.logger.warn('Redis is unavailable or too slow: messages to other nodes are dropped until it recovers.');
  }

  private failed(error?: Error): void {
    if (this.closed || !this.healthy) return;
    this.healthy = false;
    this.logger.warn(`Lost Redis${error ? ` (${error.message})` : ''}: local delivery goes on; reconnecting.`);
  }

  private checkConnected(): void {
    if (!this.connected) return;
    this.endFirstAttempt();
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const resolve of waiters) resolve();
    if (this.healthy) return;
    this.healthy = true;
    this.logger.log('Redis is back: messages to and from other nodes resume.');
  }

  /** On every (re)connection: subscribes to every channel wanted now. */
  private resubscribe(): void {
    const channels = [...this.handlers.keys()];
    const batches: Promise<boolean>[] = [];
    for (let i = 0; i < channels.length; i += SUBSCRIBE_BATCH) {
      batches.push(this.sendSubscribe(channels.slice(i, i + SUBSCRIBE_BATCH)));
    }
    void Promise.all(batches).then((results) => {
      // A failed batch means the connection dropped again: the next 'ready' retries.
      if (results.every(Boolean) && this.subscriber.status === 'ready') {
        this.subscriptionsRestored = true;
        this.checkConnected();
      } else {
        this.endFirstAttempt();
      }
    });
  }

  /** Resolves with whether Redis confirmed; a subscription lost with the connection is made again on reconnect. */
  private sendSubscribe(channels: string[]): Promise<boolean> {
    let pending: Promise<void> | undefined;
    const confirmed = this.subscriber.subscribe(...channels).then(
      () => this.confirmed(channels, pending, true),
      () => this.confirmed(channels, pending, false),
    );
    pending = confirmed.then(noop);
    for (const channel of channels) this.confirmations.set(channel, pending);
    return confirmed;
  }

  private confirmed(channels: string[], pending: Promise<void> | undefined, ok: boolean): boolean {
    for (const channel of channels) {
      if (this.confirmations.get(channel) === pending) this.confirmations.delete(channel);
    }
    return ok;
  }

  private dispatch(channel: Buffer, payload: Buffer): void {
    if (isFromSender(payload, this.ownPrefix)) return;
    const handler = this.handlers.get(channel.toString());
    if (!handler) return;
    try {
      handler(payload);
    } catch (error) {
      // A malformed message (another app on the same prefix?) or one this
      // node cannot write must not break the subscriber connection or the node.
      this.logger.error(`Could not deliver a message received on ${channel.toString()}.`, (error as Error)?.stack);
    }
  }
}

function create(url: string | undefined, options: RedisOptions): Redis {
  return url === undefined ? new Redis(options) : new Redis(url, options);
}

/** QUIT when connected (pending publishes leave first), else just stop reconnecting. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([redis.quit().then(noop, noop), timeout]);
  }
  redis.disconnect();
}
