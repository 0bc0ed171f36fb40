import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { serviceAvailability } from './services.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Suites that need Redis call this at load time and skip when it returns
 * true, with a message naming what is missing; with REQUIRE_REDIS=1 (as CI
 * sets) a missing Redis fails them instead.
 */
export async function skipWithoutRedis(port = 6379): Promise<boolean> {
  const problem = await pingRedis(port);
  return !serviceAvailability(
    'redis',
    problem === undefined,
    `no Redis answers at 127.0.0.1:${port} (${problem}); start one with redis-server`,
  );
}

/** As {@link skipWithoutRedis}, for suites that run a `redis-server` of their own. */
export function skipWithoutRedisServer(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return !serviceAvailability(
    'redis',
    probe.status === 0,
    `no redis-server executable on the PATH (${probe.error?.message ?? probe.stderr?.trim()}); apt-get install redis-server`,
  );
}

/** Resolves with undefined when `PING` gets `+PONG`, else with the reason. */
export function pingRedis(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(1000, () => done('no answer within 1 s'));
    socket.once('error', (error) => done(error.message));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') ? undefined : `unexpected reply ${reply.trim()}`);
    });
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/** A free TCP port on 127.0.0.1 (the OS's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of the test's own on a port of its own, for fault tests
 * (the shared one on 6379 is never stopped). Keeps nothing on disk.
 */
export class OwnRedisServer {
  private process?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and resolves once it accepts connections. */
  start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.resume();
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
      child.once('error', reject);
    });
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Lets a frozen server go on (SIGCONT). */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Kills the server as a crash would, and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
