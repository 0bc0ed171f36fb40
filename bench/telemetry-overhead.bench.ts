// What nest-signalr's metrics and traces add to one hub method invocation, without and with an
// OpenTelemetry SDK: the calls the dispatcher and connection make around an invocation (start,
// run in its span's context, end, message counters), against calling the method alone.
//   npx vitest bench --run bench/telemetry-overhead.bench.ts                  (no SDK)
//   BENCH_OTEL=1 npx vitest bench --run bench/telemetry-overhead.bench.ts     (SDK: metrics and traces)
import { bench, describe } from 'vitest';
import { HubDiagnostics } from '../libs/signalr/src/diagnostics/hub-diagnostics.js';
import { HubInvocationContext } from '../libs/signalr/src/hub/hub-invocation-context.js';
import type { HubConnectionContext } from '../libs/signalr/src/hub/hub-connection-context.js';
import { installOpenTelemetry } from './servers/otel-sdk.js';

const withSdk = process.env.BENCH_OTEL === '1';
if (withSdk) installOpenTelemetry();

const diagnostics = new HubDiagnostics('BenchHub');
const connection = {} as HubConnectionContext;
const args = ['hello'];
const echo = (text: unknown) => text;
let sink: unknown;
/** Invocations per measured iteration: a timer read per iteration would dwarf one invocation. */
const BATCH = 1_000;
const TRACEPARENT = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

function plain(): void {
  for (let i = 0; i < BATCH; i++) {
    const invocation = new HubInvocationContext(connection, 'echo', '1');
    sink = echo(args[0]);
    sink = invocation;
  }
}

function instrumented(headers?: Record<string, string>): void {
  for (let i = 0; i < BATCH; i++) {
    const statistics = diagnostics.statistics;
    statistics.messagesReceived++;
    const invocation = new HubInvocationContext(connection, 'echo', '1');
    diagnostics.invocationStarted(invocation, 'echo', headers);
    sink = diagnostics.runInvocation(invocation, () => echo(args[0]));
    statistics.messagesSent++;
    diagnostics.invocationEnded(invocation);
  }
}

describe(withSdk ? `${BATCH} invocations, SDK installed` : `${BATCH} invocations, no SDK`, () => {
  bench('the method alone', plain);
  bench('with metrics and traces', () => instrumented());
  bench('with metrics and traces, the caller sends a traceparent', () => instrumented(TRACEPARENT));
});

export { sink };
