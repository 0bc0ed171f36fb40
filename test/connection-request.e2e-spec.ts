import { HttpTransportType, type HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { Module } from '@nestjs/common';
import { SignalRModule } from 'nest-signalr';
import { type RequestInfo, RequestHub } from './fixtures/request.hub.js';
import { TRANSPORTS } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';

@Module({ imports: [SignalRModule.forRoot()], providers: [RequestHub] })
class RequestModule {}

/** The official client, with the headers option (its `Cookie` and custom headers go on every request). */
async function connect(url: string, transport: HttpTransportType, headers: Record<string, string>) {
  const connection = new HubConnectionBuilder()
    .withUrl(url, { transport, headers })
    .configureLogging(LogLevel.None)
    .build();
  await connection.start();
  return connection;
}

/**
 * `ctx.request`: hub methods, guards and interceptors read the HTTP request
 * that opened the connection, as ASP.NET Core hubs read
 * `Context.GetHttpContext()`.
 */
describe.each(HTTP_PLATFORMS)('the request of a connection on %s', (platform) => {
  let server: RunningApp;
  const connections: HubConnection[] = [];

  beforeAll(async () => {
    server = await startApp(RequestModule, platform);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  describe.each(TRANSPORTS)('over %s', (_name, transport) => {
    const headers = { 'X-Custom': 'custom value', Cookie: 'flavour=oat%20milk; other=1' };

    it('shows the user agent, a custom header, a cookie and a query value', async () => {
      const connection = await connect(`${server.url}/request?tenant=acme`, transport, headers);
      connections.push(connection);
      const info = await connection.invoke<RequestInfo>('RequestInfo');
      expect(info).toEqual({
        // The WebSocket upgrade, the event stream and the first poll are all GETs.
        method: 'GET',
        path: '/request',
        userAgent: expect.stringMatching(/^Microsoft SignalR\/\d+\.\d+ \(.*NodeJS/),
        custom: 'custom value',
        cookie: 'oat milk',
        tenant: 'acme',
        remoteAddress: expect.stringMatching(/127\.0\.0\.1$/),
        attached: {},
      } satisfies RequestInfo);
    });

    it('reaches guards and interceptors through the execution context', async () => {
      const acme = await connect(`${server.url}/request?tenant=acme`, transport, headers);
      const other = await connect(`${server.url}/request?tenant=other`, transport, headers);
      connections.push(acme, other);
      expect(await acme.invoke('Guarded')).toBe('let through');
      await expect(other.invoke('Guarded')).rejects.toThrow(
        new Error("Failed to invoke 'Guarded' because user is unauthorized"),
      );
      expect(await acme.invoke('Tagged')).toBe('tagged (custom value)');
    });
  });
});
