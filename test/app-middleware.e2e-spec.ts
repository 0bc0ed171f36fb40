import { HttpTransportType, type HubConnection } from '@microsoft/signalr';
import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignalRModule } from 'nest-signalr';
import request from 'supertest';
import { type RequestInfo, RequestHub } from './fixtures/request.hub.js';
import { connectHub, TRANSPORTS } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { transportHub } from './support/transport-hubs.js';

const ALLOWED = 'http://allowed.example';
const HUB_ALLOWED = 'http://hub-allowed.example';

/** A hub with a CORS policy of its own, beside the app's. */
const ownCors = transportHub('/ownCors', { cors: { origin: [HUB_ALLOWED] } });

/** Middleware of the consumer kind (`configure()`), as a Nest module registers it for every route. */
function consumerMiddleware(request: IncomingMessage, _response: ServerResponse, next: () => void) {
  Object.assign(request, { viaConsumer: true });
  next();
}

@Module({ imports: [SignalRModule.forRoot()], providers: [RequestHub, ownCors.hub] })
class MiddlewareModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(consumerMiddleware).forRoutes('*');
  }
}

/**
 * `app.use()` middleware: refuses requests marked `x-blocked` (as a rate
 * limiter would), sets a session cookie on any request without one (as a
 * session middleware would), and attaches the tenant to the request.
 */
function sessionMiddleware(request: IncomingMessage, response: ServerResponse, next: () => void) {
  if (request.headers['x-blocked']) {
    response.writeHead(429, { 'Content-Type': 'text/plain' });
    response.end('Too Many Requests');
    return;
  }
  if (!request.headers.cookie?.includes('flavour='))
    response.setHeader('Set-Cookie', 'flavour=from-middleware; Path=/');
  Object.assign(request, { tenant: 'acme' });
  next();
}

/**
 * Hub HTTP requests (negotiate, event streams, polls, sends, deletes) pass
 * through the app's middleware and CORS set-up like any Nest route, as
 * ASP.NET Core runs middleware before `MapHub` endpoints.
 */
describe.each(HTTP_PLATFORMS)('app middleware on hub requests on %s', (platform) => {
  let server: RunningApp;
  const connections: HubConnection[] = [];

  beforeAll(async () => {
    server = await startApp(MiddlewareModule, platform, (app) => {
      app.use(sessionMiddleware);
      app.enableCors({ origin: [ALLOWED], credentials: true });
    });
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it('runs on negotiate: a cookie set by the middleware, and its refusals', async () => {
    const negotiated = await request(server.url).post('/request/negotiate?negotiateVersion=1').expect(200);
    expect(negotiated.headers['set-cookie']).toEqual(['flavour=from-middleware; Path=/']);
    expect(negotiated.body.connectionId).toEqual(expect.any(String));
    await request(server.url).post('/request/negotiate').set('X-Blocked', '1').expect(429, 'Too Many Requests');
    await request(server.url).get('/request?id=x').set('X-Blocked', '1').expect(429);
  });

  it.each(TRANSPORTS)(
    'lets the official client carry the cookie from negotiate to the hub over %s',
    async (_name, transport) => {
      const connection = await connectHub(`${server.url}/request`, { transport });
      connections.push(connection);
      const info = await connection.invoke<RequestInfo>('RequestInfo');
      expect(info.cookie).toBe('from-middleware');
      // No middleware runs on a WebSocket upgrade (Node hands it over outside the framework).
      expect(info.attached).toEqual(
        transport === HttpTransportType.WebSockets ? {} : { tenant: 'acme', viaConsumer: true },
      );
    },
  );

  it("applies app.enableCors() to negotiate: the app's preflight and headers", async () => {
    const preflight = await request(server.url)
      .options('/request/negotiate?negotiateVersion=1')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-requested-with,x-signalr-user-agent')
      .expect(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
    });
    const negotiated = await request(server.url)
      .post('/request/negotiate?negotiateVersion=1')
      .set('Origin', ALLOWED)
      .expect(200);
    expect(negotiated.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(negotiated.headers['access-control-allow-credentials']).toBe('true');
    const other = await request(server.url)
      .post('/request/negotiate?negotiateVersion=1')
      .set('Origin', 'http://other.example')
      .expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("lets the app's CORS answer first, and the hub's own policy allow what the app's did not", async () => {
    const appOrigin = await request(server.url)
      .post('/ownCors/negotiate?negotiateVersion=1')
      .set('Origin', ALLOWED)
      .expect(200);
    expect(appOrigin.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(appOrigin.headers['access-control-allow-credentials']).toBe('true');
    const hubOrigin = await request(server.url)
      .post('/ownCors/negotiate?negotiateVersion=1')
      .set('Origin', HUB_ALLOWED)
      .expect(200);
    expect(hubOrigin.headers['access-control-allow-origin']).toBe(HUB_ALLOWED);
    const neither = await request(server.url)
      .post('/ownCors/negotiate?negotiateVersion=1')
      .set('Origin', 'http://other.example')
      .expect(200);
    expect(neither.headers['access-control-allow-origin']).toBeUndefined();
  });
});

@Module({ imports: [SignalRModule.forRoot({ appMiddleware: false })], providers: [RequestHub] })
class BeforeFrameworkModule {}

/** With `appMiddleware: false`, hub requests are served before the framework: no app middleware runs on them. */
describe.each(HTTP_PLATFORMS)('appMiddleware: false on %s', (platform) => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(BeforeFrameworkModule, platform, (app) => app.use(sessionMiddleware));
  });
  afterAll(() => server.close());

  it('serves negotiate without running the middleware, which still runs on other routes', async () => {
    const negotiated = await request(server.url)
      .post('/request/negotiate?negotiateVersion=1')
      .set('X-Blocked', '1')
      .expect(200);
    expect(negotiated.headers['set-cookie']).toBeUndefined();
    await request(server.url).get('/elsewhere').set('X-Blocked', '1').expect(429);
  });

  it.each(TRANSPORTS)('shows nothing attached to the request over %s', async (_name, transport) => {
    const connection = await connectHub(`${server.url}/request`, { transport });
    try {
      expect((await connection.invoke<RequestInfo>('RequestInfo')).attached).toEqual({});
    } finally {
      await connection.stop();
    }
  });
});
