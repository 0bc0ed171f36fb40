import type { BackplaneBus, BusListeners } from './backplane-bus.js';

/**
 * A broker inside one process: several apps (nodes) in a test share one, as
 * nodes share a Redis. It can fail as a real one does: `stop()` is a broker
 * that went away (publishes fail at once, buses are disconnected), `freeze()`
 * one that hangs (nothing is answered until `thaw()`).
 */
export class InMemoryBroker {
  private readonly subscribers = new Map<string, Set<InMemoryBus>>();
  private readonly buses = new Set<InMemoryBus>();
  private running = true;
  private frozen?: { resume: Promise<void>; thaw: () => void };

  /** A new bus on this broker (one per app: `inMemoryBackplane` makes them). */
  connect(): InMemoryBus {
    const bus = new InMemoryBus(this);
    this.buses.add(bus);
    return bus;
  }

  get available(): boolean {
    return this.running;
  }

  stop(): void {
    this.running = false;
    for (const bus of this.buses) bus.setConnected(false);
  }

  /** Back up: each bus subscribes again (as a Redis bus does after reconnecting). */
  start(): void {
    this.running = true;
    for (const bus of this.buses) bus.setConnected(true);
  }

  freeze(): void {
    let thaw!: () => void;
    const resume = new Promise<void>((resolve) => (thaw = resolve));
    this.frozen ??= { resume, thaw };
  }

  thaw(): void {
    const frozen = this.frozen;
    this.frozen = undefined;
    frozen?.thaw();
  }

  /** Resolves when the broker answers (now, or once thawed). */
  answer(): Promise<void> {
    return this.frozen?.resume ?? Promise.resolve();
  }

  subscribe(channel: string, bus: InMemoryBus): void {
    let buses = this.subscribers.get(channel);
    if (!buses) this.subscribers.set(channel, (buses = new Set()));
    buses.add(bus);
  }

  unsubscribe(channel: string, bus: InMemoryBus): void {
    const buses = this.subscribers.get(channel);
    if (buses?.delete(bus) && buses.size === 0) this.subscribers.delete(channel);
  }

  /** Delivers to every subscriber, the publisher included, on a later turn (as a network would). */
  deliver(channel: string, payload: Buffer): void {
    const buses = this.subscribers.get(channel);
    if (!buses) return;
    for (const bus of buses) queueMicrotask(() => bus.receive(channel, payload));
  }

  disconnect(bus: InMemoryBus): void {
    this.buses.delete(bus);
    for (const channel of this.subscribers.keys()) this.unsubscribe(channel, bus);
  }
}

/** One app's link to an {@link InMemoryBroker}: the whole `BackplaneBus` contract in a few lines. */
export class InMemoryBus implements BackplaneBus {
  readonly brokerName = 'in-memory';
  private listeners?: BusListeners;
  private readonly channels = new Set<string>();
  private up: boolean;

  constructor(private readonly broker: InMemoryBroker) {
    this.up = broker.available;
  }

  get connected(): boolean {
    return this.up;
  }

  listen(listeners: BusListeners): void {
    this.listeners = listeners;
  }

  async publish(channel: string, payload: Buffer): Promise<void> {
    if (!this.up) throw new Error('The broker is not available.');
    await this.broker.answer();
    this.broker.deliver(channel, payload);
  }

  async subscribe(channel: string): Promise<void> {
    this.channels.add(channel);
    if (!this.up) return; // made when the broker is back
    await this.broker.answer();
    if (this.channels.has(channel)) this.broker.subscribe(channel, this);
  }

  unsubscribe(channel: string): void {
    this.channels.delete(channel);
    this.broker.unsubscribe(channel, this);
  }

  async close(): Promise<void> {
    this.up = false;
    this.channels.clear();
    this.broker.disconnect(this);
  }

  receive(channel: string, payload: Buffer): void {
    if (this.up && this.channels.has(channel)) this.listeners?.message(channel, payload);
  }

  setConnected(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (up) for (const channel of this.channels) this.broker.subscribe(channel, this);
    this.listeners?.connectedChange(up);
  }
}
