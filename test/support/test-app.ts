import type { INestApplication, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SignalRAdapter } from 'nest-signalr';

/** The HTTP platforms the library supports; e2e suites run on both. */
export type HttpPlatform = 'express' | 'fastify';
export const HTTP_PLATFORMS: HttpPlatform[] = ['express', 'fastify'];

export interface RunningApp {
  app: INestApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a Nest app with the SignalR adapter on a free loopback port, on
 * Express unless told; `configure` runs before the app starts.
 */
export async function startApp(
  module: Type,
  platform: HttpPlatform = 'express',
  configure?: (app: INestApplication) => void,
): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  // Node's fetch opens a spare socket after an aborted request (a long-polling
  // client aborts its poll when it stops) and never uses it; server.close()
  // would wait for the client to drop it. Sockets with a request in flight are
  // not the concern here: the suites check that hubs end their own responses.
  const options = { logger: false, forceCloseConnections: true } as const;
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), options)
      : moduleRef.createNestApplication(options);
  app.useWebSocketAdapter(new SignalRAdapter(app));
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
