import request from 'supertest';
import { EventStream, negotiate, startLongPolling } from './support/raw-http.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const ALLOWED = 'http://allowed.example';
const OTHER = 'http://other.example';

const withCredentials = transportHub('/corsCredentials', {
  cors: { origin: [ALLOWED], credentials: true, maxAge: 600, allowedHeaders: ['X-Custom'] },
});
const anyOrigin = transportHub('/corsAny', { cors: { origin: true } });
const anyOriginWithCredentials = transportHub('/corsAnyCredentials', { cors: { origin: true, credentials: true } });
const byPredicate = transportHub('/corsPredicate', { cors: { origin: (origin) => origin.endsWith('.example') } });
const noCors = transportHub('/noCors');
const CorsModule = hubsModule([
  withCredentials.hub,
  anyOrigin.hub,
  anyOriginWithCredentials.hub,
  byPredicate.hub,
  noCors.hub,
]);

/** CORS for negotiate and the HTTP transports: the hub answers it, the framework never sees these requests. */
describe.each(HTTP_PLATFORMS)('CORS on %s', (platform) => {
  let server: RunningApp;
  const http = () => request(server.url);
  const preflight = (path: string, origin: string) =>
    http()
      .options(path)
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-requested-with,x-signalr-user-agent,authorization,content-type');

  beforeAll(async () => {
    server = await startApp(CorsModule, platform);
  });
  afterAll(() => server.close());

  it('answers a preflight from an allowed origin, with credentials and the headers the client sends', async () => {
    const response = await preflight('/corsCredentials/negotiate?negotiateVersion=1', ALLOWED).expect(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': 'X-Requested-With, X-SignalR-User-Agent, Authorization, Content-Type, X-Custom',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    await preflight('/corsCredentials?id=anything', ALLOWED).expect(204).expect('Access-Control-Allow-Origin', ALLOWED);
  });

  it('allows nothing to an origin it does not list', async () => {
    const answer = await preflight('/corsCredentials/negotiate', OTHER).expect(204);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-allow-methods']).toBeUndefined();
    const negotiated = await http()
      .post('/corsCredentials/negotiate?negotiateVersion=1')
      .set('Origin', OTHER)
      .expect(200);
    expect(negotiated.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('echoes an allowed origin with credentials on negotiate and every transport request, errors included', async () => {
    const allowed = (response: request.Response) => {
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
    };
    allowed(await http().post('/corsCredentials/negotiate?negotiateVersion=1').set('Origin', ALLOWED).expect(200));
    const { connectionToken } = await negotiate(server.url, '/corsCredentials');
    const url = `/corsCredentials?id=${connectionToken}`;
    allowed(await http().get(url).set('Origin', ALLOWED).expect(200));
    allowed(await http().post(url).set('Origin', ALLOWED).send('{"protocol":"json","version":1}\x1e').expect(200));
    allowed(await http().delete(url).set('Origin', ALLOWED).expect(202));
    allowed(await http().get(url).set('Origin', ALLOWED).expect(404, 'No Connection with that ID'));
    allowed(await http().get('/corsCredentials').set('Origin', ALLOWED).expect(400));

    const streamed = await negotiate(server.url, '/corsCredentials');
    const stream = await EventStream.open(`${server.url}/corsCredentials?id=${streamed.connectionToken}`, {
      Origin: ALLOWED,
    });
    try {
      expect(stream.response.headers['access-control-allow-origin']).toBe(ALLOWED);
    } finally {
      stream.close();
    }
  });

  it('answers any origin with * when credentials are not allowed', async () => {
    const response = await http().post('/corsAny/negotiate?negotiateVersion=1').set('Origin', OTHER).expect(200);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    const token = await startLongPolling(server.url, '/corsAny');
    await http()
      .delete(`/corsAny?id=${token}`)
      .set('Origin', OTHER)
      .expect(202)
      .expect('Access-Control-Allow-Origin', '*');
  });

  it('echoes any origin, never *, when it allows every origin with credentials', async () => {
    // Browsers refuse `*` on a request with credentials, which the SignalR browser client sends by default.
    const echoed = (response: request.Response, origin: string) => {
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers.vary).toBe('Origin');
    };
    for (const origin of [ALLOWED, OTHER]) {
      echoed(await preflight('/corsAnyCredentials/negotiate?negotiateVersion=1', origin).expect(204), origin);
      echoed(
        await http().post('/corsAnyCredentials/negotiate?negotiateVersion=1').set('Origin', origin).expect(200),
        origin,
      );
    }
    const token = await startLongPolling(server.url, '/corsAnyCredentials');
    echoed(await http().delete(`/corsAnyCredentials?id=${token}`).set('Origin', OTHER).expect(202), OTHER);
  });

  it('asks a predicate which origins it allows', async () => {
    await preflight('/corsPredicate/negotiate', OTHER).expect(204).expect('Access-Control-Allow-Origin', OTHER);
    const refused = await preflight('/corsPredicate/negotiate', 'http://evil.test').expect(204);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds no CORS headers and refuses OPTIONS when the hub has no CORS option', async () => {
    await preflight('/noCors/negotiate', ALLOWED).expect(405);
    const response = await http().post('/noCors/negotiate?negotiateVersion=1').set('Origin', ALLOWED).expect(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
