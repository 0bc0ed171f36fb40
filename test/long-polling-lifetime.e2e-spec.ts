import { HttpTransportType } from '@microsoft/signalr';
import request from 'supertest';
import { connectHub } from './support/hub-client.js';
import { startLongPolling } from './support/raw-http.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const lifetime = transportHub('/lifetime', { disconnectTimeout: 2_000 });
const LifetimeModule = hubsModule([lifetime.hub]);

// Client and server share one busy process: a negotiation must reach its first poll within
// the disconnect timeout, so keep the load moderate.
const BATCH = 20;

async function inBatches(count: number, start: (index: number) => Promise<void>) {
  for (let done = 0; done < count; done += BATCH) {
    await Promise.all(Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => start(done + i)));
  }
}

/** No state is left behind by long-polling connections, however they end. */
describe.each(HTTP_PLATFORMS)('long-polling connections on %s', (platform) => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(LifetimeModule, platform);
  });
  afterAll(() => server.close());

  it('leave nothing behind after 1,000 of them open and close, or vanish without DELETE', async () => {
    const before = lifetime.record.disconnected;
    // 500 official clients that stop properly (abort the poll, DELETE)...
    await inBatches(500, async (i) => {
      const connection = await connectHub(`${server.url}/lifetime`, { transport: HttpTransportType.LongPolling });
      expect(await connection.invoke('Echo', i)).toBe(i);
      await connection.stop();
    });
    // ...and 500 that complete their handshake and then never poll again.
    await inBatches(500, async () => {
      const token = await startLongPolling(server.url, '/lifetime');
      await request(server.url).post(`/lifetime?id=${token}`).send('{"protocol":"json","version":1}\x1e').expect(200);
    });
    await lifetime.record.untilDisconnected(before + 1000);
    expect(lifetime.record.state()).toEqual({
      connections: 0,
      negotiated: 0,
      active: 0,
      lifetime: 0,
      heartbeatListeners: 2,
    });
  }, 60_000);
});
