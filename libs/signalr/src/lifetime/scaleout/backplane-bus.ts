/**
 * What a broker must do for the scale-out core (`ScaleoutHubLifetimeManager`)
 * to run a hub on several nodes: publish bytes to a named channel, deliver
 * the bytes published on the channels it is subscribed to, and say whether
 * it is connected. Everything else (message format, node ids and presence,
 * group acks, client results, the bound on publishes in flight, timeouts) is
 * the core's, the same for every broker. See "Writing a backplane" in the
 * README; `InMemoryBus` is the smallest example.
 *
 * One bus serves one app (all its hubs). Channel names are built by the core
 * (`ScaleoutChannels`): the `node` channels are how one node addresses
 * another. Nothing relies on knowing how many subscribers a message reached.
 */
export interface BackplaneBus {
  /** The broker's name in errors and logs: "The Redis backplane is unavailable." */
  readonly brokerName: string;

  /** Whether the bus can publish now and every subscription wanted is in place. */
  readonly connected: boolean;

  /**
   * Sets the listeners: `message` for every message on a subscribed channel
   * (a node's own messages may come back too: the core ignores them),
   * `connectedChange` whenever {@link connected} changes. Called once,
   * before anything else.
   */
  listen(listeners: BusListeners): void;

  /**
   * Resolves once the broker has taken the message, rejects if it cannot
   * (never waits for a connection: no offline queue). Messages published by
   * one bus on one channel reach each subscriber in the order published.
   */
  publish(channel: string, payload: Buffer): Promise<void>;

  /**
   * Starts receiving a channel; idempotent. Resolves once the broker has
   * confirmed, or at once while disconnected. A subscription lasts until
   * {@link unsubscribe}, across reconnections (the bus restores it).
   */
  subscribe(channel: string): Promise<void>;

  unsubscribe(channel: string): void;

  /** Leaves the broker (messages being published first, where it can); idempotent. */
  close(): Promise<void>;
}

export interface BusListeners {
  message(channel: string, payload: Buffer): void;
  connectedChange(connected: boolean): void;
}
