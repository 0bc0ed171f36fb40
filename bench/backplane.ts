// Redis backplane benchmark: broadcast deliveries per second on one node
// (in-memory manager) and across nodes (Redis backplane), and their ratio.
//
//   npm run bench:backplane                      defaults below
//   npm run bench:backplane -- --receivers=200 --seconds=10 --runs=5 --redis=redis://127.0.0.1:6379
//   npm run bench:backplane -- --only=other    scenarios whose name contains "other"
//
// Each node is a Nest app in a child process (as it would be deployed); the
// load generator (this process) uses raw WebSocket clients that speak the
// JSON hub protocol and only count messages, so that the clients' own cost
// stays small. A sender invokes `Broadcast` without waiting for completions,
// keeping `--window` broadcasts in flight (counted at the first receiver);
// every receiver counts the broadcasts it gets over `--seconds` after a warm-up.
// Scenarios take turns, `--runs` times, and the median run of each is shown:
// on a shared 2-core machine other processes disturb single runs. The nodes'
// CPU time per delivery is shown too: it depends less on what else runs.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  Hub,
  HubCaller,
  type HubCallerContext,
  HubMethod,
  SignalRAdapter,
  SignalRModule,
} from '../libs/signalr/src/index.js';
import { redisBackplane } from '../libs/signalr/src/lifetime/redis/index.js';

const RS = 0x1e;

// ---- node (child process) ------------------------------------------------------

@Hub('/bench')
class BenchHub {
  @HubMethod('Broadcast')
  broadcast(payload: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.all.send('b', payload);
  }
}

async function serve(redisUrl: string | undefined, prefix: string): Promise<void> {
  @Module({
    imports: [SignalRModule.forRoot({ backplane: redisUrl ? redisBackplane({ url: redisUrl, prefix }) : undefined })],
    providers: [BenchHub],
  })
  class BenchModule {}

  const app = await NestFactory.create(BenchModule, { logger: false });
  app.useWebSocketAdapter(new SignalRAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${port}\n`);
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!(user + system);
    }
  });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

// ---- load generator ------------------------------------------------------------

/** A JSON-protocol client that counts the hub messages it receives. */
class RawClient {
  received = 0;
  onMessages?: (count: number) => void;

  private constructor(private readonly socket: WebSocket) {}

  static connect(port: number): Promise<RawClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/bench`, { perMessageDeflate: false });
    const client = new RawClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send('{"protocol":"json","version":1}\x1e'));
      socket.once('message', (handshake: Buffer) => {
        if (handshake.toString() !== '{}\x1e') return reject(new Error(`handshake failed: ${handshake.toString()}`));
        socket.on('message', (data: Buffer) => client.count(data));
        resolve(client);
      });
    });
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(): void {
    this.socket.terminate();
  }

  private count(data: Buffer): void {
    let count = 0;
    for (let i = data.indexOf(RS); i !== -1; i = data.indexOf(RS, i + 1)) count++;
    this.received += count;
    this.onMessages?.(count);
  }
}

interface Options {
  receivers: number;
  seconds: number;
  warmup: number;
  window: number;
  payload: number;
  runs: number;
  redis: string;
  /** Only the scenarios whose name contains this. */
  only: string;
}

interface Scenario {
  name: string;
  /** Nodes to start: whether each uses the Redis backplane. */
  nodes: boolean[];
  /** Node index of the sender, and of each receiver. */
  sender: number;
  receiverNode: (index: number) => number;
}

interface Result {
  scenario: string;
  broadcastsPerSecond: number;
  deliveriesPerSecond: number;
  /** CPU time of all nodes per delivery, in microseconds. */
  nodeCpuPerDelivery: number;
}

const HERE = fileURLToPath(import.meta.url);

async function startNode(redisUrl: string | undefined, prefix: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, HERE, '--serve', `--prefix=${prefix}`, ...(redisUrl ? [`--redis=${redisUrl}`] : [])],
    {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /READY (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
  });
  return { port, child };
}

/** CPU time the node has used so far, in microseconds. */
function nodeCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (micros) => resolve(micros as number));
    child.send('cpu');
  });
}

async function stopNode(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function run(scenario: Scenario, options: Options): Promise<Result> {
  const prefix = `bench-${randomUUID()}`;
  const nodes = await Promise.all(scenario.nodes.map((redis) => startNode(redis ? options.redis : undefined, prefix)));
  const clients: RawClient[] = [];
  try {
    const receivers: RawClient[] = [];
    for (let i = 0; i < options.receivers; i++) {
      receivers.push(await RawClient.connect(nodes[scenario.receiverNode(i)].port));
    }
    clients.push(...receivers);
    const sender = await RawClient.connect(nodes[scenario.sender].port);
    clients.push(sender);
    // Let every node confirm its subscriptions (a round trip through the backplane).
    await settle(sender, receivers);

    const message = `{"type":1,"target":"Broadcast","arguments":["${'x'.repeat(options.payload)}"]}\x1e`;
    let sent = 0;
    let inFlight = 0;
    let running = true;
    const tracker = receivers[0];
    const pump = () => {
      while (running && inFlight < options.window) {
        sender.send(message);
        sent++;
        inFlight++;
      }
    };
    tracker.onMessages = (count) => {
      inFlight -= count;
      pump();
    };
    pump();

    await delay(options.warmup * 1000);
    const cpuAtStart = await Promise.all(nodes.map((node) => nodeCpu(node.child)));
    const startSent = sent;
    const startDelivered = total(receivers);
    const started = process.hrtime.bigint();
    await delay(options.seconds * 1000);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    const delivered = total(receivers) - startDelivered;
    const broadcasts = sent - startSent;
    const cpuAtEnd = await Promise.all(nodes.map((node) => nodeCpu(node.child)));
    const nodeCpuUsed = cpuAtEnd.reduce((sum, micros, i) => sum + micros - cpuAtStart[i], 0);
    running = false;
    tracker.onMessages = undefined;
    return {
      scenario: scenario.name,
      broadcastsPerSecond: Math.round(broadcasts / elapsed),
      deliveriesPerSecond: Math.round(delivered / elapsed),
      nodeCpuPerDelivery: nodeCpuUsed / delivered,
    };
  } finally {
    for (const client of clients) client.close();
    await Promise.all(nodes.map((node) => stopNode(node.child)));
  }
}

/** One broadcast that every receiver gets: all nodes are subscribed and warm. */
async function settle(sender: RawClient, receivers: RawClient[]): Promise<void> {
  const before = receivers.map((receiver) => receiver.received);
  for (let attempt = 0; attempt < 100; attempt++) {
    sender.send('{"type":1,"target":"Broadcast","arguments":["warm"]}\x1e');
    await delay(50);
    if (receivers.every((receiver, i) => receiver.received > before[i])) return;
  }
  throw new Error('receivers never got a broadcast: is Redis up?');
}

function median(results: Result[]): Result {
  const sorted = [...results].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}

function total(clients: RawClient[]): number {
  return clients.reduce((sum, client) => sum + client.received, 0);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseOptions(argv: string[]): Options {
  const value = (name: string, fallback: string) =>
    argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  return {
    receivers: Number(value('receivers', '100')),
    seconds: Number(value('seconds', '5')),
    warmup: Number(value('warmup', '1')),
    window: Number(value('window', '50')),
    payload: Number(value('payload', '64')),
    runs: Number(value('runs', '3')),
    only: value('only', ''),
    redis: value('redis', 'redis://127.0.0.1:6379'),
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--serve')) {
    const redis = argv.find((arg) => arg.startsWith('--redis='))?.slice(8);
    const prefix = argv.find((arg) => arg.startsWith('--prefix='))?.slice(9) ?? 'bench';
    return serve(redis, prefix);
  }
  const options = parseOptions(argv);
  const half = Math.ceil(options.receivers / 2);
  const allScenarios: Scenario[] = [
    { name: 'one node, in-memory', nodes: [false], sender: 0, receiverNode: () => 0 },
    { name: 'one node, Redis backplane', nodes: [true], sender: 0, receiverNode: () => 0 },
    { name: 'two nodes, receivers on the other', nodes: [true, true], sender: 0, receiverNode: () => 1 },
    { name: 'two nodes, receivers split', nodes: [true, true], sender: 0, receiverNode: (i) => (i < half ? 0 : 1) },
  ];
  const scenarios = allScenarios.filter((scenario) => scenario.name.includes(options.only));
  console.log(
    `Broadcast to ${options.receivers} receivers, ${options.payload}-byte payload, window ${options.window}, ` +
      `${options.seconds} s after ${options.warmup} s warm-up, median of ${options.runs} runs; ` +
      `Redis ${options.redis}; ${process.version}.`,
  );
  const runs: Result[][] = scenarios.map(() => []);
  for (let round = 0; round < options.runs; round++) {
    for (const [index, scenario] of scenarios.entries()) {
      const result = await run(scenario, options);
      runs[index].push(result);
      console.log(`  run ${round + 1}: ${result.scenario}: ${result.deliveriesPerSecond} deliveries/s`);
    }
  }
  const results = runs.map(median);
  const baseline = results[0].deliveriesPerSecond;
  console.log('');
  const baselineCpu = results[0].nodeCpuPerDelivery;
  console.log('| scenario | broadcasts/s | deliveries/s | ratio to one node | node CPU µs/delivery | ratio |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const result of results) {
    console.log(
      `| ${result.scenario} | ${result.broadcastsPerSecond} | ${result.deliveriesPerSecond} | ` +
        `${(result.deliveriesPerSecond / baseline).toFixed(2)} | ${result.nodeCpuPerDelivery.toFixed(2)} | ` +
        `${(result.nodeCpuPerDelivery / baselineCpu).toFixed(2)} |`,
    );
  }
}

await main();
