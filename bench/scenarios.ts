// Scenario catalogue, shared by the runner (selection, time limits, table layout) and the
// generator (what to do). Add a scenario here and implement its `kind` in loadgen/scenarios.ts.

export type ScenarioKind =
  | 'broadcast' // saturation fan-out: one publisher, bounded window of deliveries in flight
  | 'broadcast-rate' // fixed-rate fan-out, latency only
  | 'echo' // invocation -> completion, one outstanding per client
  | 'group' // send to a group of `groupSize` out of `clients`
  | 'memory' // server RSS per idle connection
  | 'connect' // connections per second (connect + handshake, then close)
  | 'crossnode'; // HOOK: broadcast across two server nodes through a backplane (not built yet)

export interface Scenario {
  id: string;
  kind: ScenarioKind;
  title: string;
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** hard limit for the whole cell (server start .. generator result), ms */
  timeLimitMs: number;
  /** broadcast/group: max deliveries in flight (sent * fan-out - delivered) */
  windowDeliveries?: number;
  /** broadcast-rate: messages per second */
  rate?: number;
  groupSize?: number;
  /** connect: use POST {path}/negotiate first (SignalR only) */
  negotiate?: boolean;
  /** connect / connection set-up: connections being opened at once */
  concurrency?: number;
  /** share of clients whose deliveries are parsed for latency (1 = all) */
  sampleEvery?: number;
  /** only run for servers with this capability */
  requires?: 'negotiate' | 'backplane';
  /** metrics shown in the table, in order */
  metrics: MetricDef[];
}

export interface MetricDef {
  id: string;
  label: string;
  /** rate: integer with separators; ms: milliseconds; kib: bytes shown as KiB */
  fmt: 'rate' | 'ms' | 'kib';
}

const m = (id: string, label: string, fmt: MetricDef['fmt']): MetricDef => ({ id, label, fmt });
const P50 = m('p50', 'p50 ms', 'ms');
const P99 = m('p99', 'p99 ms', 'ms');
const TPUT: MetricDef[] = [m('deliveriesPerSec', 'deliveries/s', 'rate'), P50, P99];

export function allScenarios(quick: boolean): Scenario[] {
  // Default: 1 s warm-up + 4 s measured per cell (keeps the default 3-run matrix near 11 min).
  const w = quick ? 500 : 1000;
  const d = quick ? 2000 : 4000;
  const list: Scenario[] = [
    {
      id: 'broadcast-100',
      kind: 'broadcast',
      title: 'Broadcast fan-out, 100 clients (saturation)',
      clients: 100,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 60_000,
      windowDeliveries: 2_000,
      sampleEvery: 1,
      metrics: TPUT,
    },
    {
      id: 'broadcast-1000',
      kind: 'broadcast',
      title: 'Broadcast fan-out, 1,000 clients (saturation)',
      clients: 1000,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 60_000,
      windowDeliveries: 4_000,
      sampleEvery: 8,
      metrics: TPUT,
    },
    {
      id: 'broadcast-5000',
      kind: 'broadcast',
      title: 'Broadcast fan-out, 5,000 clients (saturation)',
      clients: 5000,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 90_000,
      windowDeliveries: 10_000,
      sampleEvery: 32,
      metrics: TPUT,
    },
    {
      id: 'broadcast-rate',
      kind: 'broadcast-rate',
      title: 'Broadcast at 20 msg/s to 1,000 clients (latency)',
      clients: 1000,
      rate: 20,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 60_000,
      sampleEvery: 1,
      metrics: [P50, P99],
    },
    {
      id: 'echo',
      kind: 'echo',
      title: 'Echo invocation, 100 clients, 1 outstanding each',
      clients: 100,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 60_000,
      metrics: [m('roundTripsPerSec', 'round trips/s', 'rate'), P50, P99],
    },
    {
      id: 'group',
      kind: 'group',
      title: 'Send to a group of 10 out of 1,000 clients (saturation)',
      clients: 1000,
      groupSize: 10,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 60_000,
      windowDeliveries: 2_000,
      sampleEvery: 4,
      metrics: TPUT,
    },
    {
      id: 'memory',
      kind: 'memory',
      title: 'Server RSS per idle connection, 5,000 connections',
      clients: 5000,
      warmupMs: 0,
      durationMs: 0,
      timeLimitMs: 90_000,
      concurrency: 200,
      metrics: [m('rssPerConn', 'RSS KiB/conn', 'kib'), m('heapPerConn', 'heap KiB/conn', 'kib')],
    },
    {
      id: 'connect',
      kind: 'connect',
      title: 'Connections per second (connect + handshake, then close; skipNegotiation for SignalR)',
      clients: 0,
      concurrency: 32,
      warmupMs: 500,
      durationMs: quick ? 1500 : 3000,
      timeLimitMs: 60_000,
      metrics: [m('connPerSec', 'conn/s', 'rate'), P50, P99],
    },
    {
      id: 'connect-negotiate',
      kind: 'connect',
      title: 'Connections per second with negotiate (POST /bench/negotiate, then ws ?id=token)',
      clients: 0,
      concurrency: 32,
      negotiate: true,
      requires: 'negotiate',
      warmupMs: 500,
      durationMs: quick ? 1500 : 3000,
      timeLimitMs: 60_000,
      metrics: [m('connPerSec', 'conn/s', 'rate'), P50, P99],
    },
    // HOOK (not built yet): cross-node broadcast. Two server processes of the same kind
    // sharing a backplane (Redis for nest-signalr, @socket.io/redis-adapter for Socket.IO);
    // half of the clients on each node, the publisher on node A, deliveries counted on both.
    // To build it: give ServerDef a `backplane` capability and a way to start a second node
    // (runner.startServer with an env such as BENCH_BACKPLANE_URL), return both ports in the
    // GenJob, and implement kind 'crossnode' in loadgen/scenarios.ts by reusing runBroadcast
    // with clients spread over the two ports. It is excluded from the default selection.
    {
      id: 'crossnode-broadcast',
      kind: 'crossnode',
      title: 'Cross-node broadcast across two nodes (backplane) — not built yet',
      clients: 1000,
      warmupMs: w,
      durationMs: d,
      timeLimitMs: 90_000,
      requires: 'backplane',
      metrics: TPUT,
    },
  ];
  return list;
}

/** Scenarios run when no --only is given. */
export const DEFAULT_EXCLUDED = new Set(['crossnode-broadcast']);
