/**
 * The other nodes of a hub, as their presence messages tell (socket.io's
 * cluster adapter does the same with heartbeats). A command for a connection
 * of a node that is not here (never seen, said goodbye, or silent for three
 * intervals) is answered at once: that node's connections are gone. No
 * broker is asked how many subscribers a message reached.
 */
export class NodePresence {
  /** Node id → when it was last heard from (ms). */
  private readonly lastSeen = new Map<string, number>();
  private readonly expiry: number;

  constructor(
    interval: number,
    /** Called for each node that leaves (goodbye or silence). */
    private readonly onGone: (nodeId: string) => void,
  ) {
    this.expiry = 3 * interval;
  }

  seen(nodeId: string): void {
    this.lastSeen.set(nodeId, Date.now());
  }

  has(nodeId: string): boolean {
    const seen = this.lastSeen.get(nodeId);
    return seen !== undefined && Date.now() - seen < this.expiry;
  }

  gone(nodeId: string): void {
    if (this.lastSeen.delete(nodeId)) this.onGone(nodeId);
  }

  /** Forgets the nodes silent for too long. Not while this node hears nothing (see `grace`). */
  sweep(): void {
    const now = Date.now();
    for (const [nodeId, seen] of this.lastSeen) if (now - seen >= this.expiry) this.gone(nodeId);
  }

  /**
   * After an outage of this node's own link, silence proves nothing: every
   * known node gets a fresh interval to be heard from again.
   */
  grace(): void {
    const now = Date.now();
    for (const nodeId of this.lastSeen.keys()) this.lastSeen.set(nodeId, now);
  }

  get size(): number {
    return this.lastSeen.size;
  }
}
