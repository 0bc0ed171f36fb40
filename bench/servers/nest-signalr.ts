// nest-signalr: a Nest app with one hub through the full library (JSON and, when the
// library supports it, MessagePack hub protocol; negotiate and skipNegotiation).
// Compiled separately (bench/tsconfig.signalr.json) so the rest of the bench builds and
// runs while the library is still being written; the runner skips this server if it does
// not compile or start.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  Hub,
  HubCaller,
  HubMethod,
  SignalRAdapter,
  SignalRModule,
  type HubCallerContext,
} from '../../libs/signalr/src/index.js';
import { HOST } from '../common.js';
import { installControl, portArg, serverReady } from './control.js';
import { installOpenTelemetry } from './otel-sdk.js';

@Hub('/bench')
export class BenchHub {
  @HubMethod()
  echo(payload: unknown): unknown {
    return payload;
  }

  @HubMethod()
  async broadcast(payload: unknown, @HubCaller() ctx: HubCallerContext): Promise<void> {
    await ctx.clients.all.send('broadcast', payload);
  }

  @HubMethod()
  async joinGroup(group: string, @HubCaller() ctx: HubCallerContext): Promise<void> {
    await ctx.groups.add(ctx.connectionId, group);
  }

  @HubMethod()
  async sendToGroup(group: string, payload: unknown, @HubCaller() ctx: HubCallerContext): Promise<void> {
    await ctx.clients.group(group).send('broadcast', payload);
  }
}

@Module({ imports: [SignalRModule.forRoot({})], providers: [BenchHub] })
class BenchModule {}

async function main(): Promise<void> {
  installControl();
  // BENCH_OTEL=1: the same server with an OpenTelemetry SDK installed (metrics and traces).
  if (process.env.BENCH_OTEL === '1') installOpenTelemetry();
  const app = await NestFactory.create(BenchModule, { logger: false });
  app.useWebSocketAdapter(new SignalRAdapter(app));
  await app.listen(portArg(), HOST);
  const port = (app.getHttpServer().address() as { port: number }).port;
  serverReady(port);
  if (!process.send) console.log(`nest-signalr bench server on ${HOST}:${port}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
