interface PendingAck {
  nodeId: string;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Group changes sent to the node that owns a connection, awaiting that
 * node's ack (ASP.NET Core's AckHandler): the caller of `groups.add()` knows
 * the membership took effect on the owner, or learns that it timed out.
 */
export class GroupAcks {
  private readonly pending = new Map<number, PendingAck>();
  private counter = 0;

  constructor(private readonly timeout: number) {}

  /** A new ack id and the promise its ack settles; fails after the timeout. */
  create(nodeId: string, connectionId: string): { id: number; acked: Promise<void> } {
    const id = ++this.counter;
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(
            `The node of connection '${connectionId}' did not acknowledge the group change within ${this.timeout} ms.`,
          ),
        );
      }, this.timeout).unref();
      this.pending.set(id, { nodeId, resolve, reject, timer });
    });
    return { id, acked };
  }

  /** The owner applied the change (or no node owns the connection: nothing to change). */
  ack(id: number): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve();
  }

  /** A node that has gone has no connections left to change: its pending changes are done. */
  nodeGone(nodeId: string): void {
    for (const [id, pending] of this.pending) if (pending.nodeId === nodeId) this.ack(id);
  }

  fail(id: number, error: Error): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  get size(): number {
    return this.pending.size;
  }
}
