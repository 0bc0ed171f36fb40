// Control channel between a bench server process and the runner (Node IPC). The server
// reports its port when listening and answers memory probes (after a forced GC when the
// process was started with --expose-gc). If the runner goes away, the server exits.
import type { ServerCmd, ServerMsg } from '../common.js';

function send(msg: ServerMsg): void {
  process.send?.(msg);
}

export function serverReady(port: number): void {
  send({ type: 'ready', port });
}

export function installControl(): void {
  // Exit cleanly on the runner's SIGTERM so that --cpu-prof can write its profile.
  process.on('SIGTERM', () => process.exit(0));
  if (!process.send) {
    // Started by hand: print the port, no IPC.
    return;
  }
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ServerCmd) => {
    if (m.type === 'gc' || m.type === 'mem') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (m.type === 'gc' && gc) {
        gc();
        gc();
      }
      const mu = process.memoryUsage();
      send({ type: 'res', id: m.id, rss: mu.rss, heapUsed: mu.heapUsed, external: mu.external, gc: !!gc });
    }
  });
}

/** `--port=N` (default 0 = any free port). */
export function portArg(): number {
  const a = process.argv.find((x) => x.startsWith('--port='));
  return a ? Number(a.slice(7)) : 0;
}
