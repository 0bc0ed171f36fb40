// Load generator process. Started by the runner with an IPC channel; receives one job,
// runs it, reports one result, and exits when the runner disconnects or says so.
import { type CellResult, failedCell, type GenJob, type GenMsg } from '../common.js';
import { G, PROTOCOLS, setTransport } from './protocols.js';
import { runScenario, type MemProbe } from './scenarios.js';

if (!process.send) {
  console.error('bench/loadgen/main.js is started by bench/run.js (needs an IPC channel)');
  process.exit(2);
}

const send = (m: GenMsg): void => {
  process.send?.(m);
};

let nextReq = 1;
const waiting = new Map<number, (p: MemProbe) => void>();

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on(
  'message',
  (m: GenJob | { type: 'res'; id: number; rss: number; heapUsed: number; gc: boolean } | { type: 'exit' }) => {
    if (m.type === 'job') void run(m);
    else if (m.type === 'res') {
      const r = waiting.get(m.id);
      waiting.delete(m.id);
      r?.({ rss: m.rss, heapUsed: m.heapUsed, gc: m.gc });
    } else if (m.type === 'exit') process.exit(0);
  },
);

async function run(job: GenJob): Promise<void> {
  const proto = PROTOCOLS[job.protocol];
  let result: CellResult;
  try {
    if (!proto) throw new Error(`unknown protocol ${job.protocol}`);
    setTransport(job.transport);
    const r = await runScenario({
      job,
      proto,
      server: (cmd) =>
        new Promise<MemProbe>((resolve, reject) => {
          const id = nextReq++;
          const timer = setTimeout(() => reject(new Error(`server ${cmd} probe timed out`)), 15_000);
          waiting.set(id, (p) => {
            clearTimeout(timer);
            resolve(p);
          });
          send({ type: 'server', id, cmd });
        }),
      log: (text) => {
        if (process.env.BENCH_DEBUG) send({ type: 'log', text });
      },
    });
    // CPU cost per operation (delivery, round trip, connection) on each side, in µs.
    const rate = r.metrics.deliveriesPerSec ?? r.metrics.roundTripsPerSec ?? r.metrics.connPerSec;
    if (rate > 0) {
      r.metrics.genUsPerOp = (r.genCpu * 1e6) / rate;
      r.metrics.srvUsPerOp = (r.srvCpu * 1e6) / rate;
    }
    if (r.foreign > 0.1)
      r.notes.push(`other processes used ${Math.round(r.foreign * 100)}% of a core during the window`);
    if (G.errors) r.notes.push(`${G.errors} protocol errors (last: ${G.lastError.slice(0, 160)})`);
    result = { ok: true, ...r };
  } catch (e) {
    result = failedCell(e, G.errors ? [`last protocol error: ${G.lastError.slice(0, 160)}`] : []);
  }
  send({ type: 'result', result });
}
