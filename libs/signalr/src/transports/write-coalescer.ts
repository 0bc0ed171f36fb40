/** Something with queued output to hand to its transport. */
export interface Flushable {
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

/**
 * Queues `target` to be flushed once the current event-loop turn has handled
 * its I/O, so that every message queued for one connection in that turn goes
 * out as one transport unit and one write (the official clients parse several
 * hub messages per unit). setImmediate runs right after the poll phase: no
 * timer, no added latency beyond the turn itself.
 */
export function scheduleFlush(target: Flushable): void {
  dirty.push(target);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll(): void {
  const batch = dirty;
  dirty = [];
  scheduled = false;
  for (let i = 0; i < batch.length; i++) batch[i].flush();
}
