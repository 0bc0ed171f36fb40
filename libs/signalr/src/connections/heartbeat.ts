/** Something that checks its timers on every heartbeat tick. */
export interface HeartbeatListener {
  onHeartbeat(now: number): void;
}

/**
 * One timer for all connections of a hub (keep-alive pings, client and
 * handshake timeouts, expiry of unclaimed negotiations) instead of timers per
 * connection. `now` is a coarse clock that hot paths can read for free.
 */
export class Heartbeat {
  now = Date.now();
  private timer?: NodeJS.Timeout;
  private readonly listeners = new Set<HeartbeatListener>();

  constructor(private readonly intervalMs: number) {}

  add(listener: HeartbeatListener): void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs).unref();
  }

  /** How many listeners the heartbeat drives. */
  get size(): number {
    return this.listeners.size;
  }

  delete(listener: HeartbeatListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = (this.now = Date.now());
    for (const listener of this.listeners) listener.onHeartbeat(now);
  }

  /** A tick fine enough for the shortest of the given intervals, at most 1 s as in ASP.NET Core. */
  static intervalFor(...intervals: number[]): number {
    const shortest = Math.min(...intervals.filter((ms) => ms > 0 && Number.isFinite(ms)));
    return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
  }
}
