import type { HubConnection } from '@microsoft/signalr';
import request from 'supertest';
import WebSocket from 'ws';
import { connectHub, TRANSPORTS } from './support/hub-client.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const insensitive = transportHub('/testhub');
const exact = transportHub('/exactHub');

/** Whether a WebSocket upgrade to `url` is accepted (101) or answered with a status. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode!);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Hub paths ignore case, as ASP.NET Core's routing does, unless `caseSensitivePaths` is set. */
describe.each(HTTP_PLATFORMS)('hub paths on %s', (platform) => {
  const connections: HubConnection[] = [];
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });

  describe('by default', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await startApp(hubsModule([insensitive.hub]), platform);
    });
    afterAll(() => server.close());

    it.each(TRANSPORTS)('/TESTHUB and /testhub reach the same hub over %s', async (name, transport) => {
      const upper = await connectHub(`${server.url}/TESTHUB`, { transport });
      const lower = await connectHub(`${server.url}/testhub`, { transport });
      connections.push(upper, lower);
      // A send to all from one arrives at the other: one hub, one set of connections.
      const received = new Promise((resolve) => lower.on('Receive', (...args) => resolve(args)));
      await upper.invoke('Send', 'from upper case');
      expect(await received).toEqual([name, 'from upper case']);
    });

    it('answers negotiate at any case of the path and of "negotiate"', async () => {
      await request(server.url).post('/TestHub/NEGOTIATE?negotiateVersion=1').expect(200);
      await request(server.url).get('/TESTHUB').expect(400, 'Connection ID required');
    });

    it('leaves other paths to the framework', async () => {
      await request(server.url).post('/testhubs/negotiate').expect(404);
      expect(await upgradeStatus(`${server.url}/testhubs`)).toBe(404);
    });
  });

  describe('with caseSensitivePaths', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await startApp(hubsModule([exact.hub], { caseSensitivePaths: true }), platform);
    });
    afterAll(() => server.close());

    it('serves the hub at its exact path only', async () => {
      const connection = await connectHub(`${server.url}/exactHub`);
      connections.push(connection);
      expect(await connection.invoke('Echo', 'exact')).toBe('exact');
      await request(server.url).post('/EXACTHUB/negotiate?negotiateVersion=1').expect(404);
      await request(server.url).post('/exactHub/Negotiate?negotiateVersion=1').expect(404);
      expect(await upgradeStatus(`${server.url}/exacthub`)).toBe(404);
    });
  });
});
