import { Redis, type RedisOptions } from 'ioredis';
import { type Flushable, scheduleFlush } from '../../transports/write-coalescer.js';
import type { BackplaneBus, BusListeners } from '../scaleout/backplane-bus.js';

/** Channels per SUBSCRIBE command when resubscribing after a reconnect. */
const SUBSCRIBE_BATCH = 1000;
const DONE = Promise.resolve();
const noop = () => {};

/**
 * The Redis bus: a pair of connections, one publishes, one subscribes (a
 * subscribed connection does nothing else). Commands never wait for a
 * connection, and the subscriptions wanted are kept here, not in ioredis:
 * each reconnect subscribes them all again, whatever happened to commands
 * in flight.
 */
export class RedisBus implements BackplaneBus, Flushable {
  readonly brokerName = 'Redis';
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Set<string>();
  /** SUBSCRIBE commands in flight, by channel: a second subscriber to a channel awaits the same. */
  private readonly confirmations = new Map<string, Promise<void>>();
  private listeners?: BusListeners;
  /** The subscriber has subscribed to every channel wanted since it last connected. */
  private subscriptionsRestored = false;
  private wasConnected = false;
  /** The publisher's socket while it holds this turn's publishes, to write them at once. */
  private corked?: Redis['stream'];
  private closed = false;

  constructor(url: string | undefined, options: RedisOptions, name: string) {
    const base: RedisOptions = {
      ...options,
      // Commands never wait for a connection, and those in flight when it
      // drops fail at once instead of being sent again.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    };
    this.publisher = create(url, { ...base, connectionName: `signalr-pub-${name}` });
    this.subscriber = create(url, { ...base, connectionName: `signalr-sub-${name}`, autoResubscribe: false });
    this.publisher.on('ready', () => this.changed());
    this.publisher.on('close', () => this.changed());
    this.subscriber.on('close', () => {
      this.subscriptionsRestored = false;
      this.changed();
    });
    this.subscriber.on('ready', () => this.resubscribe());
    // Errors are followed by 'close' and a reconnection: the state says it all.
    this.publisher.on('error', noop);
    this.subscriber.on('error', noop);
    this.subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) =>
      this.listeners?.message(channel.toString(), payload),
    );
  }

  get connected(): boolean {
    return (
      !this.closed &&
      this.subscriptionsRestored &&
      this.publisher.status === 'ready' &&
      this.subscriber.status === 'ready'
    );
  }

  listen(listeners: BusListeners): void {
    this.listeners = listeners;
  }

  publish(channel: string, payload: Buffer): Promise<void> {
    if (this.publisher.status !== 'ready') return Promise.reject(new Error('Redis is not connected.'));
    this.cork();
    return this.publisher.publish(channel, payload).then(noop);
  }

  subscribe(channel: string): Promise<void> {
    if (this.closed) return DONE;
    if (this.channels.has(channel)) return this.confirmations.get(channel) ?? DONE;
    this.channels.add(channel);
    if (this.subscriber.status !== 'ready') return DONE;
    // Lost with the connection: made again on reconnect, as while disconnected.
    const confirmed = this.subscriber.subscribe(channel).then(noop, (error: Error) => {
      if (this.subscriber.status === 'ready' && this.subscriber.stream.writable) throw error;
    });
    this.confirmations.set(channel, confirmed);
    const settled = () => {
      if (this.confirmations.get(channel) === confirmed) this.confirmations.delete(channel);
    };
    confirmed.then(settled, settled);
    return confirmed;
  }

  unsubscribe(channel: string): void {
    this.confirmations.delete(channel);
    if (this.channels.delete(channel) && this.subscriber.status === 'ready') {
      this.subscriber.unsubscribe(channel).catch(noop);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
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

  private changed(): void {
    const connected = this.connected;
    if (connected === this.wasConnected || this.closed) return;
    this.wasConnected = connected;
    this.listeners?.connectedChange(connected);
  }

  /** On every (re)connection: subscribes to every channel wanted now. */
  private resubscribe(): void {
    const channels = [...this.channels];
    const batches: Promise<boolean>[] = [];
    for (let i = 0; i < channels.length; i += SUBSCRIBE_BATCH) {
      const batch = channels.slice(i, i + SUBSCRIBE_BATCH);
      batches.push(
        this.subscriber.subscribe(...batch).then(
          () => true,
          () => false,
        ),
      );
    }
    void Promise.all(batches).then((results) => {
      // A failed batch means the connection dropped again: the next 'ready' retries.
      this.subscriptionsRestored = results.every(Boolean) && this.subscriber.status === 'ready';
      this.changed();
    });
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
