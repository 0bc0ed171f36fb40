import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SignalRAdapter } from 'nest-signalr';

export interface RunningApp {
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** Starts a Nest app with the SignalR adapter on a free loopback port. */
export async function startApp(module: Type): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new SignalRAdapter(app));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
