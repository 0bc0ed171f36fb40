import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { freePort } from './redis.js';
import { serviceAvailability } from './services.js';

export const NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Suites that need NATS call this at load time and skip when it returns
 * true, with a message naming what is missing; with REQUIRE_NATS=1 (as CI
 * sets) a missing NATS fails them instead.
 */
export async function skipWithoutNats(port = 4222): Promise<boolean> {
  const problem = await probeNats(port);
  return !serviceAvailability(
    'nats',
    problem === undefined,
    `no NATS answers at 127.0.0.1:${port} (${problem}); start one with nats-server`,
  );
}

/** As {@link skipWithoutNats}, for suites that run a `nats-server` of their own. */
export function skipWithoutNatsServer(): boolean {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  return !serviceAvailability(
    'nats',
    probe.status === 0,
    `no nats-server executable on the PATH (${probe.error?.message ?? probe.stderr?.trim()}); apt-get install nats-server`,
  );
}

/** Resolves with undefined when the server greets with `INFO`, else with the reason. */
function probeNats(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(1000, () => done('no answer within 1 s'));
    socket.once('error', (error) => done(error.message));
    socket.once('data', (data) => done(data.toString().startsWith('INFO') ? undefined : 'not a NATS server'));
    socket.connect(port, '127.0.0.1');
  });
}

/** A nats-server of the test's own on a port of its own, for fault tests (the shared one is never stopped). */
export class OwnNatsServer {
  private process?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnNatsServer> {
    const server = new OwnNatsServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and resolves once it accepts clients. */
  start(): Promise<void> {
    const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (data: Buffer) => {
        output += data.toString();
        if (output.includes('Server is ready')) {
          child.stderr!.off('data', onData);
          child.stderr!.resume();
          resolve();
        }
      };
      child.stderr!.on('data', onData);
      child.stdout!.resume();
      child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${output}`)));
      child.once('error', reject);
    });
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
