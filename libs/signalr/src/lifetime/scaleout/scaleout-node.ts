import type { Logger } from '@nestjs/common';
import { BackplaneTraffic } from '../../diagnostics/backplane-traffic.js';
import { SignalRInstruments } from '../../diagnostics/signalr-instruments.js';
import type { BackplaneBus } from './backplane-bus.js';
import { BackplaneUnavailableError } from './backplane-unavailable.error.js';
import { isFromSender, senderPrefix } from './scaleout-protocol.js';

export type ChannelHandler = (payload: Buffer) => void;

/** Options every backplane takes (`redisBackplane`, `natsBackplane`, `inMemoryBackplane`). */
export interface ScaleoutOptions {
  /** First part of every channel name, so that several apps can share one broker. Default `signalr`. */
  prefix?: string;
  /**
   * How long an operation that needs the broker (subscribing to a group's
   * channel, publishing a group change or a client-result invocation) waits
   * for it before it fails with "The … backplane is unavailable.". Default
   * 5 000 ms (the usual Redis clients' command timeout).
   */
  timeout?: number;
  /**
   * How long adding a connection of another node to a group (or removing it)
   * waits for that node's ack before it rejects. Default 30 000 (ASP.NET Core's).
   */
  groupAckTimeout?: number;
  /**
   * Messages for other nodes that may await the broker at once: beyond, they
   * are dropped rather than queued, so memory held for an unreachable or
   * frozen broker is at most this many messages. Default 10 000.
   */
  maxPendingPublishes?: number;
  /** How often a node tells the others it is alive; silent for three intervals, it is gone. Default 5 000 ms. */
  heartbeatInterval?: number;
}

const DONE = Promise.resolve();

/**
 * This process's node for one app: its id, its bus, and what every hub of
 * the app shares on it. Here faults are handled the same for every broker:
 * - Publishing never queues: while the bus is down, or when
 *   `maxPendingPublishes` publishes await the broker, a message for other
 *   nodes is dropped at once (at most once delivery), so a dead broker costs
 *   neither memory nor time, and local delivery goes on.
 * - What needs an answer fails after `timeout` at most.
 * - A node ignores its own messages echoed by the broker: it has already
 *   delivered them to its connections (so local delivery needs no broker).
 */
export class ScaleoutNode {
  readonly prefix: string;
  readonly timeout: number;
  readonly groupAckTimeout: number;
  readonly heartbeatInterval: number;
  private readonly maxPendingPublishes: number;
  private readonly ownPrefix: Buffer;
  private readonly handlers = new Map<string, ChannelHandler>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly closeHooks: (() => void)[] = [];
  private connectedWaiters: (() => void)[] = [];
  /** What the bus carried, for the backplane metrics. */
  readonly traffic = new BackplaneTraffic();
  private pendingPublishes = 0;
  private droppedPublishes = 0;
  /** False from the first dropped message (or lost link) until the bus is back: logs once per outage. */
  private healthy = true;
  private closed = false;

  constructor(
    readonly nodeId: string,
    readonly bus: BackplaneBus,
    options: ScaleoutOptions,
    private readonly logger: Logger,
  ) {
    this.ownPrefix = senderPrefix(nodeId);
    this.prefix = options.prefix ?? 'signalr';
    this.timeout = options.timeout ?? 5_000;
    this.groupAckTimeout = options.groupAckTimeout ?? 30_000;
    this.maxPendingPublishes = options.maxPendingPublishes ?? 10_000;
    this.heartbeatInterval = options.heartbeatInterval ?? 5_000;
    SignalRInstruments.get()?.observeBackplane(this.traffic, bus.brokerName, nodeId);
    bus.listen({
      message: (channel, payload) => this.dispatch(channel, payload),
      connectedChange: (connected) => (connected ? this.up() : this.down()),
    });
  }

  get connected(): boolean {
    return !this.closed && this.bus.connected;
  }

  /** Resolves when {@link connected} (health checks, tests). */
  whenConnected(): Promise<void> {
    if (this.connected) return DONE;
    return new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  /** Resolves when {@link connected}, or after `timeout` (an unreachable broker delays callers that long, once). */
  whenConnectedOrTimedOut(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.timeout);
      void this.whenConnected().then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Messages for other nodes dropped since start (broker down or too slow). */
  get droppedCount(): number {
    return this.droppedPublishes;
  }

  /** Runs `listener` each time the bus is back after an outage. */
  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Runs `hook` when the node closes, while it can still publish (a goodbye). */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  unavailable(): BackplaneUnavailableError {
    return new BackplaneUnavailableError(this.bus.brokerName);
  }

  /**
   * Routes `channel` to `handler` and subscribes to it. Resolves once the
   * broker has confirmed (at once while it is down: the bus subscribes when
   * it is back); rejects if it does not answer within `timeout`.
   */
  subscribe(channel: string, handler: ChannelHandler): Promise<void> {
    if (this.closed) return DONE;
    this.handlers.set(channel, handler);
    return this.withinTimeout(this.bus.subscribe(channel));
  }

  unsubscribe(channel: string): void {
    if (this.handlers.delete(channel) && !this.closed) this.bus.unsubscribe(channel);
  }

  /** Fire and forget: the message is dropped if the broker cannot take it now. */
  publish(channel: string, payload: Buffer): void {
    if (!this.canPublish()) {
      this.dropped();
      return;
    }
    this.pendingPublishes++;
    this.bus.publish(channel, payload).then(this.published, this.publishFailed);
  }

  /** Resolves once the broker has taken the message; rejects with `unavailable()` if it cannot within `timeout`. */
  publishConfirmed(channel: string, payload: Buffer): Promise<void> {
    if (!this.canPublish()) {
      this.traffic.errors++;
      return Promise.reject(this.unavailable());
    }
    this.pendingPublishes++;
    const taken = this.bus.publish(channel, payload);
    taken.then(this.published, () => {
      this.pendingPublishes--;
      this.traffic.errors++;
    });
    return this.withinTimeout(taken);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const hook of this.closeHooks) hook();
    this.closed = true;
    SignalRInstruments.get()?.forgetBackplane(this.traffic);
    this.handlers.clear();
    this.reconnectListeners.clear();
    await this.bus.close();
  }

  private withinTimeout(operation: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.unavailable()), this.timeout);
      operation.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        () => {
          clearTimeout(timer);
          reject(this.unavailable());
        },
      );
    });
  }

  private canPublish(): boolean {
    return !this.closed && this.bus.connected && this.pendingPublishes < this.maxPendingPublishes;
  }

  private readonly published = (): void => {
    this.pendingPublishes--;
    this.traffic.publishes++;
    if (!this.healthy) this.up();
  };

  private readonly publishFailed = (): void => {
    this.pendingPublishes--;
    this.dropped();
  };

  private dropped(): void {
    this.droppedPublishes++;
    this.traffic.errors++;
    if (this.closed || !this.healthy) return;
    this.healthy = false;
    this.logger.warn(
      `${this.bus.brokerName} is unavailable or too slow: messages to other nodes are dropped until it recovers.`,
    );
  }

  private down(): void {
    if (this.closed || !this.healthy) return;
    this.healthy = false;
    this.logger.warn(`Lost ${this.bus.brokerName}: local delivery goes on; reconnecting.`);
  }

  private up(): void {
    if (!this.connected) return;
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const resolve of waiters) resolve();
    for (const listener of this.reconnectListeners) listener();
    if (this.healthy) return;
    this.healthy = true;
    this.logger.log(`${this.bus.brokerName} is back: messages to and from other nodes resume.`);
  }

  private dispatch(channel: string, payload: Buffer): void {
    if (isFromSender(payload, this.ownPrefix)) return;
    const handler = this.handlers.get(channel);
    if (!handler) return;
    this.traffic.receives++;
    try {
      handler(payload);
    } catch (error) {
      this.traffic.errors++;
      // A malformed message (another app on the same prefix?) or one this
      // node cannot write must not break the bus or the node.
      this.logger.error(`Could not deliver a message received on ${channel}.`, (error as Error)?.stack);
    }
  }
}
