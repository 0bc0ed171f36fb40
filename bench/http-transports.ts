// Throughput of the hub's plain HTTP endpoints: negotiate requests per second,
// and long-polling invocation round trips per second (POST the invocation,
// poll its completion), on Express and Fastify.
//
//   npm run bench:http                                  defaults below
//   npm run bench:http -- --seconds=5 --runs=5 --concurrency=32 --platforms=express
//   node dist/bench-http/bench/http-transports.js --lib=/other/build/libs/signalr/src/index.js
//
// The server is a Nest app in a child process; this process is the load
// generator (keep-alive `http` requests, no client library, so that its own
// cost stays small). `--lib` points the server at another build of the library,
// so that two builds can be compared in alternating runs on the same machine;
// BENCH_APP_MIDDLEWARE=false serves hub requests before the framework
// (`appMiddleware: false`). A plain Nest route is measured beside them.
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const RS = '\x1e';
const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [name, value = 'true'] = arg.replace(/^--/, '').split('=');
    return [name, value] as const;
  }),
);
const seconds = Number(args.get('seconds') ?? 3);
const runs = Number(args.get('runs') ?? 3);
const concurrency = Number(args.get('concurrency') ?? 32);
const platforms = (args.get('platforms') ?? 'express,fastify').split(',');
const libs = (args.get('lib') ?? '../libs/signalr/src/index.js').split(',');

// ---- server (child process) ----------------------------------------------------

async function serve(platform: string, lib: string): Promise<void> {
  const { Controller, Module, Post } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const signalr = await import(lib);
  const { Hub, HubMethod, SignalRAdapter, SignalRModule } = signalr;

  class BenchHub {
    echo(value: unknown) {
      return value;
    }
  }
  HubMethod('Echo')(BenchHub.prototype, 'echo', Object.getOwnPropertyDescriptor(BenchHub.prototype, 'echo')!);
  Reflect.defineMetadata('design:paramtypes', [Object], BenchHub.prototype, 'echo');
  Hub('/bench')(BenchHub);

  /** A plain Nest route, for scale: what any request through the framework costs. */
  class PingController {
    ping() {
      return '';
    }
  }
  Post()(PingController.prototype, 'ping', Object.getOwnPropertyDescriptor(PingController.prototype, 'ping')!);
  Controller('ping')(PingController);

  class BenchModule {}
  const appMiddleware = process.env.BENCH_APP_MIDDLEWARE !== 'false';
  Module({
    imports: [SignalRModule.forRoot(appMiddleware ? {} : { appMiddleware: false })],
    controllers: [PingController],
    providers: [BenchHub],
  })(BenchModule);

  let app;
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = await NestFactory.create(BenchModule, new FastifyAdapter(), { logger: false });
  } else {
    app = await NestFactory.create(BenchModule, { logger: false });
  }
  app.useWebSocketAdapter(new SignalRAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${port}\n`);
}

// ---- load generator ------------------------------------------------------------

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.setHeader('Content-Type', 'text/plain;charset=UTF-8');
    req.end(body);
  });
}

/** Requests per second to one path, `concurrency` at a time. */
async function posts(port: number, path: string, expected: number): Promise<number> {
  let count = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const { status } = await call(port, 'POST', path);
        if (status !== expected) throw new Error(`${path} answered ${status}`);
        count++;
      }
    }),
  );
  return count / seconds;
}

const negotiates = (port: number) => posts(port, '/bench/negotiate?negotiateVersion=1', 200);
const nestRoute = (port: number) => posts(port, '/ping', 201);

/** One long-polling client: negotiate, first poll, handshake, then invocations each awaited by a poll. */
async function longPollingClient(port: number, until: number): Promise<number> {
  const { body } = await call(port, 'POST', '/bench/negotiate?negotiateVersion=1');
  const path = `/bench?id=${JSON.parse(body).connectionToken}`;
  await call(port, 'GET', path);
  await call(port, 'POST', path, JSON.stringify({ protocol: 'json', version: 1 }) + RS);
  await call(port, 'GET', path); // the handshake response
  let count = 0;
  for (let id = 0; Date.now() < until; id++) {
    const poll = call(port, 'GET', path);
    await call(
      port,
      'POST',
      path,
      JSON.stringify({ type: 1, invocationId: String(id), target: 'Echo', arguments: [id] }) + RS,
    );
    let received = (await poll).body;
    while (!received.includes(`"invocationId":"${id}"`)) received += (await call(port, 'GET', path)).body;
    count++;
  }
  await call(port, 'DELETE', path);
  return count;
}

async function longPolling(port: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  const counts = await Promise.all(Array.from({ length: concurrency }, () => longPollingClient(port, until)));
  return counts.reduce((sum, count) => sum + count, 0) / seconds;
}

async function startServer(platform: string, lib: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve', platform, lib], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      const match = /READY (\d+)/.exec(data.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const results = new Map<string, number[]>();
  for (let run = 0; run < runs; run++) {
    for (const platform of platforms) {
      for (const lib of libs) {
        const { child, port } = await startServer(platform, lib);
        try {
          await negotiates(port); // warm-up
          for (const [name, measure] of [
            ['negotiate/s', negotiates],
            ['long-polling round trips/s', longPolling],
            ['plain Nest route (POST) /s', nestRoute],
          ] as const) {
            const key = `${platform} | ${name} | ${lib}`;
            results.set(key, [...(results.get(key) ?? []), await measure(port)]);
          }
        } finally {
          child.kill();
        }
      }
    }
  }
  console.log(`median of ${runs} runs of ${seconds} s, ${concurrency} concurrent clients`);
  console.log('| platform | measure | library | median | runs |\n|---|---|---|--:|---|');
  for (const [key, values] of results) {
    console.log(`| ${key} | ${Math.round(median(values))} | ${values.map(Math.round).join(', ')} |`);
  }
  agent.destroy();
}

if (process.argv[2] === '--serve') await serve(process.argv[3], process.argv[4]);
else await main();
