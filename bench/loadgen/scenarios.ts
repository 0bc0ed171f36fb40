// Scenario implementations (generator side). Each returns the metrics of one cell.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  coreBusy,
  coreTimes,
  foreignCores,
  makePayload,
  procCpuSeconds,
  type CellResult,
  type GenJob,
} from '../common.js';
import type { Scenario } from '../scenarios.js';
import { G, type Conn, type Protocol } from './protocols.js';

export interface MemProbe {
  rss: number;
  heapUsed: number;
  gc: boolean;
}

export interface Ctx {
  job: GenJob;
  proto: Protocol;
  /** ask the server (through the runner) for a memory probe, optionally after a GC */
  server(cmd: 'gc' | 'mem'): Promise<MemProbe>;
  log(text: string): void;
}

type Metrics = Omit<CellResult, 'ok' | 'error'>;

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------
async function connectMany(ctx: Ctx, n: number, concurrency: number): Promise<Conn[]> {
  const conns: Conn[] = new Array<Conn>(n);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      conns[i] = await ctx.proto.connect({ port: ctx.job.port, path: ctx.job.path });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return conns;
}

async function pool<T>(items: T[], concurrency: number, fn: (x: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Resolves when G.deliveries reaches `target`; rejects after `ms`. Chains an existing onDeliver. */
function deliveriesReach(target: number, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (G.deliveries >= target) return resolve();
    const prev = G.onDeliver;
    const timer = setTimeout(() => {
      G.onDeliver = prev;
      reject(
        new Error(
          `${what}: ${G.deliveries} of ${target} deliveries after ${ms} ms${G.lastError ? ` (last error: ${G.lastError})` : ''}`,
        ),
      );
    }, ms);
    G.onDeliver = () => {
      prev?.();
      if (G.deliveries >= target) {
        clearTimeout(timer);
        G.onDeliver = prev;
        resolve();
      }
    };
  });
}

interface Window {
  rate: number;
  genCpu: number;
  srvCpu: number;
  srvCore: number;
  genCore: number;
  foreign: number;
  seconds: number;
}

/** Warm up, then count `counter()` over the measurement window, with CPU of both sides. */
async function measure(ctx: Ctx, s: Scenario, counter: () => number): Promise<Window> {
  ctx.log(`ready, measuring (${Math.round(performance.now())} ms since generator start)`);
  await sleep(s.warmupMs);
  const { serverPid, clkTck } = ctx.job;
  const c0 = counter();
  const g0 = process.cpuUsage();
  const s0 = procCpuSeconds(serverPid, clkTck);
  const k0 = coreTimes();
  const t0 = performance.now();
  G.lat.reset();
  G.recording = true;
  await sleep(s.durationMs);
  G.recording = false;
  const t1 = performance.now();
  const c1 = counter();
  const g1 = process.cpuUsage(g0);
  const s1 = procCpuSeconds(serverPid, clkTck);
  const k1 = coreTimes();
  const seconds = (t1 - t0) / 1000;
  const genSec = (g1.user + g1.system) / 1e6;
  return {
    rate: (c1 - c0) / seconds,
    genCpu: genSec / seconds,
    srvCpu: (s1 - s0) / seconds,
    foreign: foreignCores(k0, k1, clkTck, seconds, genSec + (s1 - s0)),
    srvCore: coreBusy(k0, k1, ctx.job.serverCore),
    genCore: coreBusy(k0, k1, ctx.job.genCore),
    seconds,
  };
}

function latencyMetrics(): Record<string, number> {
  const [p50, p99] = G.lat.percentiles(50, 99);
  return { p50, p99, latSamples: G.lat.n };
}

function checkEqualJson(got: string, want: string, what: string): void {
  if (got.startsWith('ERROR:') || JSON.stringify(JSON.parse(got)) !== JSON.stringify(JSON.parse(want))) {
    throw new Error(`${what}: server returned ${got.slice(0, 200)}, expected ${want.slice(0, 200)}`);
  }
}

// ---------------------------------------------------------------------------------------
// saturation fan-out (broadcast to all / send to groups)
// ---------------------------------------------------------------------------------------
/**
 * One publisher connection keeps at most `windowDeliveries` deliveries in flight
 * (messages sent × fan-out − deliveries counted at the clients), so the server is kept busy
 * without unbounded queues anywhere, and the rate adapts to whichever side is slower.
 */
async function saturate(
  ctx: Ctx,
  s: Scenario,
  conns: Conn[],
  fanout: number,
  send: (payload: string, seq: number) => void,
): Promise<Metrics> {
  const windowMsgs = Math.max(1, Math.floor((s.windowDeliveries ?? fanout) / fanout));
  const windowDel = windowMsgs * fanout;
  let expected = G.deliveries;
  let seq = 0;
  let lost = 0;
  let stalls = 0;
  const pump = (): void => {
    while (expected - G.deliveries < windowDel) {
      expected += fanout;
      send(makePayload(performance.now(), seq), seq);
      seq++;
    }
  };
  // Stall watchdog: a full second without any delivery while messages are in flight means
  // the server dropped something; write the gap off as lost and carry on.
  let lastSeen = G.deliveries;
  const watchdog = setInterval(() => {
    if (G.deliveries === lastSeen && expected > G.deliveries) {
      stalls++;
      lost += expected - G.deliveries;
      expected = G.deliveries;
      pump();
    }
    lastSeen = G.deliveries;
  }, 1000);
  try {
    G.onDeliver = pump;
    pump();
    const w = await measure(ctx, s, () => G.deliveries);
    G.onDeliver = null;
    const notes = [`window ${windowMsgs} msg × ${fanout}`];
    if (stalls) notes.push(`${stalls} stalls, ${lost} deliveries lost`);
    return {
      metrics: { deliveriesPerSec: w.rate, msgsPerSec: w.rate / fanout, ...latencyMetrics(), lost },
      genCpu: w.genCpu,
      srvCpu: w.srvCpu,
      srvCore: w.srvCore,
      genCore: w.genCore,
      foreign: w.foreign,
      notes,
    };
  } finally {
    clearInterval(watchdog);
    G.onDeliver = null;
    void conns;
  }
}

async function runBroadcast(ctx: Ctx, s: Scenario): Promise<Metrics> {
  const conns = await connectMany(ctx, s.clients, 200);
  const every = s.sampleEvery ?? 1;
  conns.forEach((c, i) => (c.sample = i % every === 0));
  const pub = conns[0];
  // Correctness: one broadcast must reach every client.
  const target = G.deliveries + s.clients;
  pub.broadcast(makePayload(performance.now(), -1));
  await deliveriesReach(target, 10_000, 'first broadcast');
  return saturate(ctx, s, conns, s.clients, (p) => pub.broadcast(p));
}

async function runGroup(ctx: Ctx, s: Scenario): Promise<Metrics> {
  const size = s.groupSize ?? 10;
  const conns = await connectMany(ctx, s.clients, 200);
  const every = s.sampleEvery ?? 1;
  conns.forEach((c, i) => (c.sample = i % every === 0));
  const nGroups = Math.ceil(s.clients / size);
  const names = Array.from({ length: nGroups }, (_, g) => `g${g}`);
  await pool(conns, 200, (c, i) => c.joinGroup(names[Math.floor(i / size)]));
  const pub = conns[0];
  // Correctness: one group send reaches exactly the group's members.
  const before = G.deliveries;
  pub.sendToGroup(names[nGroups - 1], makePayload(performance.now(), -1));
  await deliveriesReach(before + size, 10_000, 'first group send');
  const m = await saturate(ctx, s, conns, size, (p, seq) => pub.sendToGroup(names[seq % nGroups], p));
  m.notes.push(`${nGroups} groups of ${size}, publisher rotates over them`);
  return m;
}

// ---------------------------------------------------------------------------------------
// fixed-rate fan-out (latency)
// ---------------------------------------------------------------------------------------
async function runBroadcastRate(ctx: Ctx, s: Scenario): Promise<Metrics> {
  const conns = await connectMany(ctx, s.clients, 200);
  conns.forEach((c) => (c.sample = true));
  const pub = conns[0];
  const period = 1000 / (s.rate ?? 20);
  const start = G.deliveries;
  let k = 0;
  let timer: NodeJS.Timeout | null = null;
  const t0 = performance.now();
  const tick = (): void => {
    const now = performance.now();
    while (t0 + k * period <= now) {
      pub.broadcast(makePayload(performance.now(), k));
      k++;
    }
    timer = setTimeout(tick, Math.max(0, t0 + k * period - performance.now()));
  };
  tick();
  try {
    const w = await measure(ctx, s, () => G.deliveries);
    if (timer) clearTimeout(timer);
    timer = null;
    const lat = latencyMetrics();
    // Let the last messages arrive, then check nothing was lost.
    const expected = start + k * s.clients;
    let lost = 0;
    try {
      await deliveriesReach(expected, 2000, 'drain');
    } catch {
      lost = expected - G.deliveries;
    }
    return {
      metrics: { deliveriesPerSec: w.rate, ...lat, lost },
      genCpu: w.genCpu,
      srvCpu: w.srvCpu,
      srvCore: w.srvCore,
      genCore: w.genCore,
      foreign: w.foreign,
      notes: lost ? [`${lost} deliveries missing`] : [],
    };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------
// echo round trips
// ---------------------------------------------------------------------------------------
async function runEcho(ctx: Ctx, s: Scenario): Promise<Metrics> {
  const conns = await connectMany(ctx, s.clients, 200);
  const payload = makePayload(performance.now(), 1);
  // Correctness: the echo returns the argument unchanged.
  for (const c of conns.slice(0, 3)) checkEqualJson(await c.echoRaw(payload), payload, 'echo');
  let rts = 0;
  const onReply = (c: Conn): void => {
    const now = performance.now();
    if (G.recording) G.lat.add(now - c.sentAt);
    rts++;
    c.sentAt = now;
    c.echo(payload);
  };
  const t = performance.now();
  for (const c of conns) {
    c.onReply = onReply;
    c.sentAt = t;
    c.echo(payload);
  }
  try {
    const w = await measure(ctx, s, () => rts);
    return {
      metrics: { roundTripsPerSec: w.rate, ...latencyMetrics() },
      genCpu: w.genCpu,
      srvCpu: w.srvCpu,
      srvCore: w.srvCore,
      genCore: w.genCore,
      foreign: w.foreign,
      notes: [],
    };
  } finally {
    for (const c of conns) c.onReply = null;
  }
}

// ---------------------------------------------------------------------------------------
// memory per idle connection
// ---------------------------------------------------------------------------------------
async function runMemory(ctx: Ctx, s: Scenario): Promise<Metrics> {
  const r0 = await ctx.server('gc');
  const t0 = performance.now();
  const conns = await connectMany(ctx, s.clients, s.concurrency ?? 200);
  const connectMs = performance.now() - t0;
  // Every connection has completed its handshake (and, for SignalR, sent its first Ping).
  // One round trip on the last connection makes sure the server has processed its queue.
  await conns[conns.length - 1].echoRaw(makePayload(0, 0));
  const r1 = await ctx.server('gc');
  const n = conns.length;
  return {
    metrics: {
      rssPerConn: (r1.rss - r0.rss) / n,
      heapPerConn: (r1.heapUsed - r0.heapUsed) / n,
      rss0: r0.rss,
      rss1: r1.rss,
      connectPerSec: n / (connectMs / 1000),
    },
    genCpu: NaN,
    srvCpu: NaN,
    srvCore: NaN,
    genCore: NaN,
    foreign: NaN,
    notes: r1.gc ? [] : ['server had no --expose-gc: RSS without forced GC'],
  };
}

// ---------------------------------------------------------------------------------------
// connections per second
// ---------------------------------------------------------------------------------------
async function runConnect(ctx: Ctx, s: Scenario): Promise<Metrics> {
  let done = 0;
  let errors = 0;
  let lastErr = '';
  let stop = false;
  const opts = { port: ctx.job.port, path: ctx.job.path, negotiate: !!s.negotiate };
  const worker = async (): Promise<void> => {
    while (!stop) {
      const t = performance.now();
      try {
        const c = await ctx.proto.connect(opts);
        if (G.recording) G.lat.add(performance.now() - t);
        done++;
        c.close();
      } catch (e) {
        errors++;
        lastErr = String(e);
        if (errors > 100 && done === 0) throw new Error(`connect keeps failing: ${lastErr}`);
      }
    }
  };
  const workers = Array.from({ length: s.concurrency ?? 32 }, worker);
  let failure: unknown = null;
  const all = Promise.all(workers).catch((e: unknown) => {
    failure = e;
    stop = true;
  });
  const w = await measure(ctx, s, () => done);
  stop = true;
  await all;
  if (failure) throw failure as Error;
  return {
    metrics: { connPerSec: w.rate, ...latencyMetrics(), errors },
    genCpu: w.genCpu,
    srvCpu: w.srvCpu,
    srvCore: w.srvCore,
    genCore: w.genCore,
    foreign: w.foreign,
    notes: errors ? [`${errors} failed connects (last: ${lastErr.slice(0, 120)})`] : [],
  };
}

// ---------------------------------------------------------------------------------------
export async function runScenario(ctx: Ctx): Promise<Metrics> {
  const s = ctx.job.scenario;
  switch (s.kind) {
    case 'broadcast':
      return runBroadcast(ctx, s);
    case 'broadcast-rate':
      return runBroadcastRate(ctx, s);
    case 'echo':
      return runEcho(ctx, s);
    case 'group':
      return runGroup(ctx, s);
    case 'memory':
      return runMemory(ctx, s);
    case 'connect':
      return runConnect(ctx, s);
    case 'crossnode':
      // HOOK: see scenarios.ts. Needs two server nodes and a backplane.
      throw new Error('crossnode scenario is not built yet (needs a backplane)');
  }
}
