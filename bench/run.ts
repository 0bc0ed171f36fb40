// Benchmark runner: starts one server process and one load-generator process per cell
// (scenario × server × run), pinned to different cores, collects the results and writes
// bench/results/latest.md (+ latest.json).
//
//   npm run bench                      all default scenarios and servers, median of 3 runs
//   npm run bench -- --quick           1 run, shorter windows
//   npm run bench -- --only=echo,broadcast-1000 --servers=ws,nest-signalr
//   npm run bench -- --list
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  coreTimes,
  median,
  PAYLOAD_BYTES,
  type CellResult,
  failedCell,
  type GenJob,
  type GenMsg,
  type ServerMsg,
} from './common.js';
import { allScenarios, DEFAULT_EXCLUDED, type MetricDef, type Scenario } from './scenarios.js';
import { SERVERS, type ServerDef } from './servers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/bench/bench
const ROOT = path.resolve(HERE, '../../..');
const SERVER_DIR = path.join(HERE, 'servers');
const GEN_ENTRY = path.join(HERE, 'loadgen', 'main.js');

// ---------------------------------------------------------------------------------------
// arguments
// ---------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const opt = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const known = [
  'ws-client',
  'window',
  'quick',
  'list',
  'no-taskset',
  'only',
  'servers',
  'runs',
  'sio-client',
  'out',
  'help',
];
for (const a of argv) {
  const name = a.replace(/^--/, '').split('=')[0];
  if (!a.startsWith('--') || !known.includes(name)) {
    console.error(`unknown argument ${a}; try --help`);
    process.exit(2);
  }
}
if (flag('help')) {
  console.log(`usage: npm run bench -- [--quick] [--runs=N] [--only=a,b] [--servers=x,y] [--list]
                          [--ws-client=lean|ws] [--sio-client=raw|lib] [--window=N] [--no-taskset] [--out=file.md]`);
  process.exit(0);
}

const quick = flag('quick');
const runs = Number(opt('runs') ?? (quick ? 1 : 3));
const sioClient = opt('sio-client') ?? 'raw';
if (!['raw', 'lib'].includes(sioClient)) throw new Error('--sio-client must be raw or lib');
// Generator WebSocket client (loadgen/transport.ts): 'lean' by default. Measured here: with the
// `ws` package client the connect scenarios were client-bound (its upgrade machinery cost ~2× the
// server's CPU per connection: ~290 vs ~125 µs for lean), and receiving coalesced frames cost the
// generator more; for one-frame-per-message traffic both cost the same within noise.
const wsClientOpt = (opt('ws-client') ?? 'lean') as 'lean' | 'ws';
if (!['lean', 'ws'].includes(wsClientOpt)) throw new Error('--ws-client must be lean or ws');
const wsClientFor = (_s: Scenario): 'lean' | 'ws' => wsClientOpt;
const scenariosAll = allScenarios(quick);
// --window=N overrides the deliveries-in-flight window of the saturation scenarios (tuning).
if (opt('window')) for (const s of scenariosAll) if (s.windowDeliveries) s.windowDeliveries = Number(opt('window'));

/** `--only=broadcast` selects every `broadcast-*` scenario; server ids must match exactly. */
function select<T extends { id: string }>(
  all: T[],
  spec: string | undefined,
  dflt: (x: T) => boolean,
  what: string,
  prefix: boolean,
): T[] {
  if (!spec) return all.filter(dflt);
  const wanted = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const hit = (x: T, w: string): boolean => x.id === w || (prefix && x.id.startsWith(`${w}-`));
  const out = all.filter((x) => wanted.some((w) => hit(x, w)));
  const unknown = wanted.filter((w) => !all.some((x) => hit(x, w)));
  if (unknown.length) {
    console.error(`unknown ${what}: ${unknown.join(', ')}; known: ${all.map((x) => x.id).join(', ')}`);
    process.exit(2);
  }
  return out;
}

const scenarios = select(scenariosAll, opt('only'), (s) => !DEFAULT_EXCLUDED.has(s.id), 'scenario', true);
const servers = select(SERVERS, opt('servers'), (s) => s.byDefault, 'server', false);

if (flag('list')) {
  console.log('scenarios:');
  for (const s of scenariosAll)
    console.log(`  ${s.id.padEnd(20)} ${s.title}${DEFAULT_EXCLUDED.has(s.id) ? ' [not in default run]' : ''}`);
  console.log('servers:');
  for (const s of SERVERS)
    console.log(`  ${s.id.padEnd(20)} ${s.describe}${s.byDefault ? '' : ' [not in default run]'}`);
  process.exit(0);
}

const useTaskset = !flag('no-taskset') && os.cpus().length >= 2 && hasTaskset();
function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100;
} catch {
  /* default */
}

// ---------------------------------------------------------------------------------------
// child processes: tracked, killed in finally and on SIGINT/SIGTERM
// ---------------------------------------------------------------------------------------
const children = new Set<ChildProcess>();

function startChild(core: number, args: string[], stdio: Array<'ignore' | 'pipe' | 'inherit' | 'ipc'>): ChildProcess {
  const node = process.execPath;
  const cmd = useTaskset ? 'taskset' : node;
  // taskset execs node, so child.pid is the node process itself.
  const full = useTaskset ? ['-c', String(core), node, ...args] : args;
  const child = spawn(cmd, full, { cwd: ROOT, stdio, env: { ...process.env, NODE_ENV: 'production' } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
function stopChild(c: ChildProcess, graceMs = 1500): Promise<void> {
  if (!alive(c)) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      if (alive(c)) c.kill('SIGKILL');
    }, graceMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

function killAllNow(): void {
  for (const c of children) if (alive(c)) c.kill('SIGKILL');
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping ${children.size} child process(es)`);
    killAllNow();
    process.exit(130);
  });
}
process.on('exit', killAllNow);

// ---------------------------------------------------------------------------------------
// nest-signalr build (separate tsc project so the rest works while the library is written)
// ---------------------------------------------------------------------------------------
const skipped = new Map<string, string>(); // server id -> reason

function buildSignalr(): string | null {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const proj = path.join(ROOT, 'bench', 'tsconfig.signalr.json');
  process.stdout.write('building nest-signalr bench server (bench/tsconfig.signalr.json) ... ');
  try {
    execFileSync(process.execPath, [tsc, '-p', proj], { cwd: ROOT, encoding: 'utf8', timeout: 180_000, stdio: 'pipe' });
    console.log('ok');
    return null;
  } catch (e) {
    const out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`.trim();
    const lines = out.split('\n').filter((l) => l.includes('error'));
    console.log('failed');
    return `library does not compile yet (${lines.length} tsc errors; first: ${(lines[0] ?? out.split('\n')[0] ?? String(e)).trim().slice(0, 200)})`;
  }
}

// ---------------------------------------------------------------------------------------
// The machine may be shared (other people's builds and tests). Before each cell, wait
// (bounded) until the cores are quiet, so a burst of foreign work does not land in a window.
// There is no event for "the machine is idle", so this samples /proc/stat.
// ---------------------------------------------------------------------------------------
const QUIET_CORES = 0.25; // busy cores tolerated while none of our processes run
const QUIET_MAX_WAIT_MS = 5_000; // per cell
let quietBudgetMs = 60_000; // per invocation of the runner, so a busy machine cannot stretch the run much
/** A cell during which other processes used more than this many cores is re-run once (budget permitting). */
const CONTENDED_CORES = 0.3;
let retryBudget = 4;

async function waitQuiet(): Promise<number> {
  const end = Date.now() + Math.min(QUIET_MAX_WAIT_MS, quietBudgetMs);
  const t0 = Date.now();
  let busy = 0;
  for (;;) {
    const a = coreTimes();
    await sleep(250);
    const b = coreTimes();
    busy = 0;
    for (let i = 0; i < b.length; i++)
      if (a[i] && b[i]) busy += (b[i].busy - a[i].busy) / Math.max(1, b[i].total - a[i].total);
    if (busy <= QUIET_CORES || Date.now() >= end) {
      quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - t0));
      return busy;
    }
  }
}

// ---------------------------------------------------------------------------------------
// one cell
// ---------------------------------------------------------------------------------------
interface ServerHandle {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

function startServer(def: ServerDef, deadline: number): Promise<ServerHandle> {
  const extra = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const child = startChild(
    0,
    ['--expose-gc', ...extra, path.join(SERVER_DIR, def.entry)],
    ['ignore', 'ignore', 'pipe', 'ipc'],
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`${def.id} did not report ready in time`)),
      Math.max(1000, Math.min(30_000, deadline - Date.now())),
    );
    child.once('exit', (code, sig) => {
      clearTimeout(t);
      reject(
        new Error(
          `${def.id} exited during start (code ${code}, ${sig ?? 'no signal'}): ${err.trim().split('\n').slice(0, 6).join(' | ').slice(0, 600)}`,
        ),
      );
    });
    child.once('error', (e) => reject(e));
    child.on('message', (m: ServerMsg) => {
      if (m.type === 'ready') {
        clearTimeout(t);
        child.removeAllListeners('exit');
        child.once('exit', () => children.delete(child));
        resolve({ child, port: m.port, stderr: () => err });
      }
    });
  });
}

function protocolFor(def: ServerDef): string {
  return def.protocol === 'socketio' ? `socketio-${sioClient}` : def.protocol;
}

async function runCell(s: Scenario, def: ServerDef): Promise<CellResult> {
  const deadline = Date.now() + s.timeLimitMs;
  let server: ServerHandle | null = null;
  let gen: ChildProcess | null = null;
  let hard: NodeJS.Timeout | null = null;
  const tc = Date.now();
  const dbg = (what: string): void => {
    if (process.env.BENCH_DEBUG) console.log(`    +${Date.now() - tc} ms ${what}`);
  };
  try {
    // The generator boots (node start-up, module loading) while the server starts; it waits for its job.
    // BENCH_GEN_NODE_OPTIONS / BENCH_SERVER_NODE_OPTIONS: extra node flags (e.g. --cpu-prof) for profiling.
    const extra = (process.env.BENCH_GEN_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
    const g = startChild(
      1,
      ['--max-old-space-size=4096', ...extra, GEN_ENTRY],
      ['ignore', 'inherit', 'inherit', 'ipc'],
    );
    gen = g;
    server = await startServer(def, deadline);
    dbg('server ready');
    const srv = server;
    const job: GenJob = {
      type: 'job',
      scenario: s,
      protocol: protocolFor(def),
      transport: wsClientFor(s),
      port: srv.port,
      path: def.path,
      serverPid: srv.child.pid as number,
      clkTck,
      serverCore: useTaskset ? 0 : -1,
      genCore: useTaskset ? 1 : -1,
    };
    return await new Promise<CellResult>((resolve, reject) => {
      hard = setTimeout(
        () => reject(new Error(`hard time limit ${s.timeLimitMs / 1000} s reached`)),
        Math.max(0, deadline - Date.now()),
      );
      g.once('exit', (code, sig) => reject(new Error(`generator exited (code ${code}, ${sig ?? 'no signal'})`)));
      srv.child.once('exit', (code, sig) =>
        reject(new Error(`server exited (code ${code}, ${sig ?? 'no signal'}): ${srv.stderr().trim().slice(0, 400)}`)),
      );
      srv.child.on('message', (m: ServerMsg) => {
        if (m.type === 'res' && alive(g)) g.send(m);
      });
      g.on('message', (m: GenMsg) => {
        if (m.type === 'result') {
          dbg('result');
          resolve(m.result);
        } else if (m.type === 'log') console.log(`    [gen] ${m.text}`);
        else if (m.type === 'server' && alive(srv.child)) srv.child.send({ type: m.cmd, id: m.id });
      });
      g.send(job);
    });
  } catch (e) {
    return failedCell(e);
  } finally {
    if (hard) clearTimeout(hard);
    // Server first: its sockets close from the server side, so TIME_WAIT does not pile up
    // on the generator's ephemeral ports.
    if (server) await stopChild(server.child);
    if (gen) await stopChild(gen);
    dbg('stopped');
  }
}

// ---------------------------------------------------------------------------------------
// formatting
// ---------------------------------------------------------------------------------------
function fmt(v: number, f: MetricDef['fmt']): string {
  if (!Number.isFinite(v)) return '–';
  if (f === 'rate') return Math.round(v).toLocaleString('en-US');
  if (f === 'kib') return (v / 1024).toFixed(1);
  return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}
const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');

type Cells = Map<string, CellResult[]>; // `${scenario}|${server}` -> runs
const key = (s: string, v: string): string => `${s}|${v}`;

function applicable(s: Scenario, def: ServerDef): boolean {
  return !s.requires || def.capabilities.includes(s.requires);
}

function cellStatus(results: CellResult[] | undefined, s: Scenario, def: ServerDef): string | null {
  if (!applicable(s, def)) return 'n/a';
  if (skipped.has(def.id)) return 'skipped';
  if (!results || results.length === 0) return '–';
  if (results.every((r) => !r.ok)) return 'error';
  return null;
}

function medianMetric(results: CellResult[], id: string): number {
  return median(results.filter((r) => r.ok).map((r) => r.metrics[id]));
}

function renderTable(cells: Cells, started: Date, seconds: number): string {
  const out: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  out.push(`# nest-signalr benchmark`);
  out.push('');
  out.push(
    `${started.toISOString()} · ${cpu}, ${os.cpus().length} cores, Node ${process.version} · ` +
      (useTaskset ? 'server pinned to core 0, generator to core 1 (taskset)' : 'no CPU pinning') +
      ` · ${runs === 1 ? '1 run' : `median of ${runs} runs`}${quick ? ' (--quick)' : ''} · payload ${PAYLOAD_BYTES} B JSON · ` +
      `generator WebSocket client: ${wsClientOpt === 'lean' ? 'lean (node:net + own RFC 6455 framing)' : '`ws` package'} · ` +
      `Socket.IO client: ${sioClient === 'raw' ? 'own Engine.IO/Socket.IO framing' : 'socket.io-client library'} · took ${Math.round(seconds)} s`,
  );
  out.push('');
  out.push(
    'Each figure is followed by its ratio to raw `ws` in the same run (for latency and memory, >1× means more).',
  );
  out.push('');
  out.push(`| Scenario | Metric | ${servers.map((d) => d.id).join(' | ')} |`);
  out.push(`|---|---|${servers.map(() => '---:').join('|')}|`);
  for (const s of scenarios) {
    for (const m of s.metrics) {
      const base = medianMetric(cells.get(key(s.id, 'ws')) ?? [], m.id);
      const row = servers.map((d) => {
        const rs = cells.get(key(s.id, d.id));
        const st = cellStatus(rs, s, d);
        if (st) return st;
        const v = medianMetric(rs as CellResult[], m.id);
        // † on throughput figures: the generator's core was ≥95% busy, so the client may have limited it.
        const genBound =
          m.fmt === 'rate' && median((rs as CellResult[]).filter((r) => r.ok).map((r) => r.genCore)) >= 0.95;
        const mark = genBound ? ' †' : '';
        if (d.id === 'ws' || !Number.isFinite(base) || !Number.isFinite(v) || base === 0) return fmt(v, m.fmt) + mark;
        return `${fmt(v, m.fmt)} (${(v / base).toFixed(2)}×)${mark}`;
      });
      out.push(`| ${s.id} | ${m.label} | ${row.join(' | ')} |`);
    }
  }
  out.push('');
  out.push(
    '† generator core ≥95% busy during the window: the client side may have limited this figure (see the CPU table).',
  );
  // with vs without negotiate, for servers that have both
  for (const d of servers) {
    const a = medianMetric(cells.get(key('connect-negotiate', d.id)) ?? [], 'connPerSec');
    const b = medianMetric(cells.get(key('connect', d.id)) ?? [], 'connPerSec');
    if (Number.isFinite(a) && Number.isFinite(b) && b > 0)
      out.push(`${d.id}: connections/s with negotiate are ${(a / b).toFixed(2)}× those with skipNegotiation.`);
  }
  out.push('');
  out.push(
    'CPU over the measurement window (medians): **server process / its core · generator process / its core**. ' +
      'Process = utime+stime (/proc/<pid>/stat, process.cpuUsage); core = busy share of the pinned core from /proc/stat, ' +
      'which also counts softirq time (loopback TCP delivery is charged to the sending core, not to a process). ' +
      'A core near 100% is the bottleneck: server core = server-bound, generator core = client-bound. ' +
      '⚠ = other processes on the machine used >10% of a core during the window (see notes).',
  );
  out.push('');
  out.push(`| Scenario | ${servers.map((d) => d.id).join(' | ')} |`);
  out.push(`|---|${servers.map(() => '---:').join('|')}|`);
  for (const s of scenarios) {
    if (s.kind === 'memory') continue;
    const row = servers.map((d) => {
      const rs = cells.get(key(s.id, d.id));
      const st = cellStatus(rs, s, d);
      if (st) return st;
      const ok = (rs as CellResult[]).filter((r) => r.ok);
      const md = (f: (r: CellResult) => number): string => pct(median(ok.map(f)));
      const warn = median(ok.map((r) => r.foreign)) > 0.1 ? ' ⚠' : '';
      return useTaskset
        ? `${md((r) => r.srvCpu)}/${md((r) => r.srvCore)} · ${md((r) => r.genCpu)}/${md((r) => r.genCore)}${warn}`
        : `${md((r) => r.srvCpu)} · ${md((r) => r.genCpu)}${warn}`;
    });
    out.push(`| ${s.id} | ${row.join(' | ')} |`);
  }
  const notes: string[] = [];
  for (const [id, why] of skipped) notes.push(`- **${id} skipped**: ${why}`);
  for (const s of scenarios)
    for (const d of servers) {
      const rs = cells.get(key(s.id, d.id)) ?? [];
      const seen = new Set<string>();
      rs.forEach((r, i) => {
        const parts = [
          ...(r.ok ? [] : [`error: ${r.error}`]),
          ...r.notes.filter((n) => !n.startsWith('window') && !n.includes('groups of')),
        ];
        for (const p of parts) {
          if (seen.has(p)) continue;
          seen.add(p);
          notes.push(`- ${s.id} / ${d.id} (run ${i + 1}): ${p}`);
        }
      });
    }
  out.push('');
  out.push('Scenarios:');
  for (const s of scenarios) {
    const w = s.windowDeliveries ? ` window ${s.windowDeliveries.toLocaleString('en-US')} deliveries in flight;` : '';
    const t = s.durationMs ? ` ${s.warmupMs / 1000} s warm-up + ${s.durationMs / 1000} s measured;` : '';
    out.push(`- \`${s.id}\`: ${s.title};${t}${w} limit ${s.timeLimitMs / 1000} s.`);
  }
  if (notes.length) {
    out.push('');
    out.push('Notes:');
    out.push(...notes);
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------
async function main(): Promise<void> {
  if (!existsSync(GEN_ENTRY)) throw new Error(`missing ${GEN_ENTRY}; run npm run bench:build`);
  const started = new Date();
  const t0 = Date.now();
  if (servers.some((d) => d.signalrBuild)) {
    const why = buildSignalr();
    if (why) for (const d of servers) if (d.signalrBuild) skipped.set(d.id, why);
  }
  for (const [id, why] of skipped) console.log(`!! ${id} will be skipped: ${why}`);
  const plan: Array<[Scenario, number, ServerDef]> = [];
  for (const s of scenarios)
    for (let r = 0; r < runs; r++) for (const d of servers) if (applicable(s, d)) plan.push([s, r, d]);
  console.log(
    `${plan.length} cells: ${scenarios.map((s) => s.id).join(', ')} × ${servers.map((d) => d.id).join(', ')} × ${runs} run(s)` +
      (useTaskset ? '; server on core 0, generator on core 1' : '; no taskset'),
  );
  const cells: Cells = new Map();
  let i = 0;
  let warnedLong = false;
  for (const [s, r, d] of plan) {
    i++;
    if (skipped.has(d.id)) continue;
    const c0 = Date.now();
    let busy = await waitQuiet();
    let res = await runCell(s, d);
    if (res.ok && res.foreign > CONTENDED_CORES && retryBudget > 0) {
      retryBudget--;
      console.log(
        `    (other processes used ${pct(res.foreign)} of a core during the window: re-running once; ${retryBudget} re-runs left)`,
      );
      busy = await waitQuiet();
      const again = await runCell(s, d);
      if (!again.ok || !(again.foreign < res.foreign))
        res.notes.push('re-run after contention was no better; kept the first');
      else res = { ...again, notes: [...again.notes, 're-run after contention'] };
    }
    if (busy > QUIET_CORES)
      res.notes.push(`machine busy before the cell (${Math.round(busy * 100)}% of a core used by others)`);
    const k = key(s.id, d.id);
    cells.set(k, [...(cells.get(k) ?? []), res]);
    const summary = res.ok
      ? s.metrics.map((m) => `${m.label} ${fmt(res.metrics[m.id], m.fmt)}`).join(', ') +
        (s.kind === 'memory'
          ? ''
          : ` · cpu srv ${pct(res.srvCpu)} (core ${pct(res.srvCore)}) gen ${pct(res.genCpu)} (core ${pct(res.genCore)}) other ${pct(res.foreign)}` +
            ` · µs/op srv ${fmt(res.metrics.srvUsPerOp, 'ms')} gen ${fmt(res.metrics.genUsPerOp, 'ms')}`)
      : `ERROR ${res.error}`;
    console.log(
      `[${i}/${plan.length}] ${s.id} · ${d.id} · run ${r + 1}: ${summary} (${((Date.now() - c0) / 1000).toFixed(1)} s)`,
    );
    if (Date.now() - t0 > 20 * 60_000 && !warnedLong) {
      warnedLong = true;
      console.log('!! this run has taken over 20 minutes (busy machine?)');
    }
    if (!res.ok && d.signalrBuild && r === 0 && /exited during start|did not report ready/.test(res.error ?? '')) {
      skipped.set(d.id, `server failed to start: ${res.error}`);
      console.log(`!! ${d.id} failed to start; skipping it from now on`);
    }
  }
  const md = renderTable(cells, started, (Date.now() - t0) / 1000);
  const outFile = opt('out') ?? path.join(ROOT, 'bench', 'results', 'latest.md');
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, md);
  writeFileSync(
    outFile.replace(/\.md$/, '') + '.json',
    JSON.stringify(
      {
        started,
        quick,
        runs,
        sioClient,
        taskset: useTaskset,
        skipped: Object.fromEntries(skipped),
        cells: Object.fromEntries(cells),
      },
      null,
      1,
    ),
  );
  console.log('\n' + md);
  console.log(`written to ${path.relative(process.cwd(), outFile)}`);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllNow();
  });
