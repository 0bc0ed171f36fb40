import { HttpTransportType, type HubConnection } from '@microsoft/signalr';
import { Controller, Get, Module } from '@nestjs/common';
import { SignalRModule } from 'nest-signalr';
import request from 'supertest';
import { connectHub, TRANSPORTS } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { transportHub } from './support/transport-hubs.js';

const routed = transportHub('/routed');

@Controller('routed')
class RoutedController {
  @Get()
  get() {
    return 'controller';
  }
}

@Module({ imports: [SignalRModule.forRoot()], controllers: [RoutedController], providers: [routed.hub] })
class RoutingModule {}

/**
 * Hub paths are matched before the framework routes: the app's global
 * prefix and its controllers neither hide nor shadow a hub.
 */
describe.each(HTTP_PLATFORMS)('hub routes beside the app on %s', (platform) => {
  let server: RunningApp;
  const connections: HubConnection[] = [];

  beforeAll(async () => {
    server = await startApp(RoutingModule, platform, (app) => app.setGlobalPrefix('api'));
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it('leaves the prefixed controller routes to the framework', async () => {
    await request(server.url).get('/api/routed').expect(200, 'controller');
    await request(server.url).get('/api/routed/negotiate').expect(404);
    await request(server.url).get('/elsewhere').expect(404);
  });

  it('serves the hub at its own path, unprefixed', async () => {
    await request(server.url).get('/routed').expect(400, 'Connection ID required');
    await request(server.url).post('/routed/negotiate?negotiateVersion=1').expect(200);
  });

  it.each(TRANSPORTS)('lets the official client connect over %s', async (name, transport: HttpTransportType) => {
    const connection = await connectHub(`${server.url}/routed`, { transport });
    connections.push(connection);
    expect(await connection.invoke('Echo', name)).toBe(name);
    expect(routed.record.transports.at(-1)).toBe(name);
  });
});
