// Shared by the runner, the load generator and the servers. No dependencies beyond Node.
import { readFileSync } from 'node:fs';

/** Host every process talks to. Nothing in the bench leaves the loopback interface. */
export const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------
// Payload: ~100 bytes of JSON, identical for every server. `t` is the publisher's
// performance.now() (ms, µs resolution) so receivers in the same generator process can
// compute one-way latency; `s` is a sequence number; `pad` brings it to ~100 bytes.
// ---------------------------------------------------------------------------------------
const PAD = 'x'.repeat(64);

export function makePayload(t: number, s: number): string {
  return `{"t":${Math.round(t * 1000) / 1000},"s":${s},"pad":"${PAD}"}`;
}

/** Size of a typical payload, for the report. */
export const PAYLOAD_BYTES = Buffer.byteLength(makePayload(12345.678, 123456));

// ---------------------------------------------------------------------------------------
// Latency samples (ms). Fixed capacity; when full, keep every other sample from then on
// (keeps memory bounded and the sample unbiased enough for p50/p99).
// ---------------------------------------------------------------------------------------
export class Latencies {
  private buf: Float64Array;
  n = 0;
  private stride = 1;
  private skip = 0;
  constructor(capacity = 1 << 20) {
    this.buf = new Float64Array(capacity);
  }
  add(ms: number): void {
    if (this.stride > 1 && ++this.skip < this.stride) return;
    this.skip = 0;
    if (this.n === this.buf.length) {
      // Halve: keep every other sample, double the stride.
      for (let i = 0; i < this.n / 2; i++) this.buf[i] = this.buf[2 * i];
      this.n = this.n / 2;
      this.stride *= 2;
    }
    this.buf[this.n++] = ms;
  }
  reset(): void {
    this.n = 0;
    this.stride = 1;
    this.skip = 0;
  }
  percentiles(...ps: number[]): number[] {
    if (this.n === 0) return ps.map(() => NaN);
    const a = this.buf.slice(0, this.n).sort();
    return ps.map((p) => a[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))]);
  }
}

// ---------------------------------------------------------------------------------------
// /proc helpers (Linux). CPU time of another process, in seconds.
// ---------------------------------------------------------------------------------------
export function procCpuSeconds(pid: number, clkTck: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clkTck;
  } catch {
    return NaN;
  }
}

/** Per-core jiffies from /proc/stat. */
export interface CoreTimes {
  /** all non-idle time, softirq included */
  busy: number;
  /** irq + softirq (kernel work not charged to any process, e.g. loopback TCP delivery) */
  irq: number;
  total: number;
}

export function coreTimes(): CoreTimes[] {
  const out: CoreTimes[] = [];
  try {
    for (const line of readFileSync('/proc/stat', 'latin1').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      // user nice system idle iowait irq softirq steal (guest time is already in user)
      const v = m[2].trim().split(/\s+/).map(Number);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      out[Number(m[1])] = { busy: total - v[3] - v[4], irq: v[5] + v[6], total };
    }
  } catch {
    /* not Linux */
  }
  return out;
}

/** Busy share of core `i` between two coreTimes() snapshots. */
export function coreBusy(a: CoreTimes[], b: CoreTimes[], i: number): number {
  if (!a[i] || !b[i]) return NaN;
  const total = b[i].total - a[i].total;
  return total > 0 ? (b[i].busy - a[i].busy) / total : NaN;
}

/**
 * CPU used by everything else (in cores) between two snapshots: all busy time except
 * irq/softirq, minus the CPU seconds of our own processes (`ownSeconds`).
 */
export function foreignCores(
  a: CoreTimes[],
  b: CoreTimes[],
  clkTck: number,
  seconds: number,
  ownSeconds: number,
): number {
  let procTicks = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (!a[i] || !b[i]) continue;
    procTicks += b[i].busy - a[i].busy - (b[i].irq - a[i].irq);
  }
  return Math.max(0, (procTicks / clkTck - ownSeconds) / seconds);
}

export function procRssBytes(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmRSS:\s+(\d+) kB/.exec(s);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------------------------------
// IPC messages
// ---------------------------------------------------------------------------------------
/** server -> runner */
export type ServerMsg =
  | { type: 'ready'; port: number }
  | { type: 'res'; id: number; rss: number; heapUsed: number; external: number; gc: boolean };

/** runner -> server */
export type ServerCmd = { type: 'gc'; id: number } | { type: 'mem'; id: number };

/** runner -> generator */
export interface GenJob {
  type: 'job';
  scenario: import('./scenarios.js').Scenario;
  protocol: string;
  /** WebSocket client implementation of the generator: 'lean' or 'ws' (loadgen/transport.ts) */
  transport: 'lean' | 'ws';
  port: number;
  path: string;
  serverPid: number;
  clkTck: number;
  /** cores the server and generator are pinned to (-1: not pinned) */
  serverCore: number;
  genCore: number;
}

/** generator -> runner */
export type GenMsg =
  | { type: 'server'; id: number; cmd: 'gc' | 'mem' }
  | { type: 'result'; result: CellResult }
  | { type: 'log'; text: string };

export interface CellResult {
  ok: boolean;
  error?: string;
  /** metric id -> value */
  metrics: Record<string, number>;
  /** share of one core, 0..1+, over the measurement window */
  genCpu: number;
  srvCpu: number;
  /** busy share of the server's / generator's core (includes softirq: loopback TCP work) */
  srvCore: number;
  genCore: number;
  /** CPU used by other processes on the machine during the window, in cores */
  foreign: number;
  notes: string[];
}

/** The result of a cell that could not be measured. */
export function failedCell(error: unknown, notes: string[] = []): CellResult {
  return {
    ok: false,
    error: error instanceof Error ? error.message : String(error),
    metrics: {},
    genCpu: NaN,
    srvCpu: NaN,
    srvCore: NaN,
    genCore: NaN,
    foreign: NaN,
    notes,
  };
}

export function median(xs: number[]): number {
  const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}
