import { connect, type NatsConnection, type NodeConnectionOptions, type Subscription } from '@nats-io/transport-node';
import type { BackplaneBus, BusListeners } from '../scaleout/backplane-bus.js';
import { channelSubject } from './nats-subjects.js';

/**
 * The NATS bus: one connection per app. NATS core pub/sub is the whole
 * contract: subjects per channel (see `channelSubject`), subscriptions the
 * client restores after a reconnect, and a flush (PING/PONG) as the broker's
 * confirmation, once per event-loop turn for all its publishes. The server
 * echoes nothing back to the node that published (`noEcho`).
 */
export class NatsBus implements BackplaneBus {
  readonly brokerName = 'NATS';
  private connection?: NatsConnection;
  private readonly subscriptions = new Map<string, Subscription | undefined>();
  private listeners?: BusListeners;
  private up = false;
  private closed = false;
  /** The confirmation of this turn's publishes. */
  private flushed?: Promise<void>;

  constructor(options: NodeConnectionOptions, name: string) {
    connect({ name: `signalr-${name}`, noEcho: true, maxReconnectAttempts: -1, waitOnFirstConnect: true, ...options })
      .then((connection) => this.connected_(connection))
      .catch(() => {}); // only when closed first: reconnecting never ends otherwise
  }

  get connected(): boolean {
    return this.up && !this.closed;
  }

  listen(listeners: BusListeners): void {
    this.listeners = listeners;
  }

  publish(channel: string, payload: Buffer): Promise<void> {
    if (!this.connected) return Promise.reject(new Error('NATS is not connected.'));
    this.connection!.publish(channelSubject(channel), payload);
    return (this.flushed ??= this.flush());
  }

  async subscribe(channel: string): Promise<void> {
    if (this.closed || this.subscriptions.has(channel)) return;
    this.subscriptions.set(channel, this.connection && this.open(channel));
    // Lost with the connection: the client subscribes again when it reconnects.
    if (this.connected) await this.connection!.flush().catch(() => {});
  }

  unsubscribe(channel: string): void {
    this.subscriptions.get(channel)?.unsubscribe();
    this.subscriptions.delete(channel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    const connection = this.connection;
    if (!connection) return;
    // Publishes still buffered leave first; a NATS that does not answer is not waited for.
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([connection.drain().catch(() => {}), timeout]);
    if (!connection.isClosed()) await connection.close();
  }

  private async connected_(connection: NatsConnection): Promise<void> {
    if (this.closed) return void connection.close();
    this.connection = connection;
    for (const channel of this.subscriptions.keys()) this.subscriptions.set(channel, this.open(channel));
    await this.confirmUp();
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') this.setUp(false);
      else if (status.type === 'reconnect') await this.confirmUp();
    }
  }

  /** Up once the server has the subscriptions (they precede the PONG). */
  private async confirmUp(): Promise<void> {
    try {
      await this.connection!.flush();
      this.setUp(true);
    } catch {
      // Lost again: the next 'reconnect' retries.
    }
  }

  private setUp(up: boolean): void {
    if (up === this.up || this.closed) return;
    this.up = up;
    this.listeners?.connectedChange(up);
  }

  private flush(): Promise<void> {
    const flushed = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.flushed = undefined;
      return this.connection!.flush();
    });
    return flushed;
  }

  private open(channel: string): Subscription {
    return this.connection!.subscribe(channelSubject(channel), {
      callback: (error, message) => {
        if (error) return;
        const data = message.data;
        this.listeners?.message(channel, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      },
    });
  }
}
