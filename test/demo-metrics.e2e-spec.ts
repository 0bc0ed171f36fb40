import { type HubConnection, HttpTransportType } from '@microsoft/signalr';
import request from 'supertest';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { connectHub } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';

describe('the demo’s GET /metrics', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(DemoModule);
  });
  afterAll(() => server?.close());

  async function scrape(): Promise<string> {
    const response = await request(server.url).get('/metrics').expect(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return response.text;
  }

  /** The sample of a series, or undefined while it has none. */
  async function sample(series: string): Promise<number | undefined> {
    const line = (await scrape()).split('\n').find((text) => text.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1).split(' ')[0]);
  }

  /** Scrapes until the series shows `value`: the server ends a connection a moment after its client. */
  async function until(series: string, value: number): Promise<void> {
    const deadline = Date.now() + 5_000;
    while ((await sample(series)) !== value) {
      if (Date.now() > deadline) throw new Error(`${series} stayed at ${await sample(series)}, not ${value}.`);
    }
  }

  it('shows signalr_server_active_connections rising and falling as clients connect and leave', async () => {
    const webSockets =
      'signalr_server_active_connections{signalr_transport="web_sockets",otel_scope_name="nest-signalr"}';
    const longPolling =
      'signalr_server_active_connections{signalr_transport="long_polling",otel_scope_name="nest-signalr"}';
    const first = await connectHub(`${server.url}/chatHub`, { transport: HttpTransportType.WebSockets });
    expect(await scrape()).toContain('# TYPE signalr_server_active_connections gauge');
    expect(await sample(webSockets)).toBe(1);
    const second = await connectHub(`${server.url}/chatHub`, { transport: HttpTransportType.WebSockets });
    const polling = await connectHub(`${server.url}/chatHub`, { transport: HttpTransportType.LongPolling });
    expect(await sample(webSockets)).toBe(2);
    expect(await sample(longPolling)).toBe(1);

    await first.stop();
    await until(webSockets, 1);
    await Promise.all([second, polling].map((connection: HubConnection) => connection.stop()));
    await until(webSockets, 0);
    await until(longPolling, 0);

    // Each connection's duration, as a normal closure.
    const text = await scrape();
    expect(text).toContain(
      'signalr_server_connection_duration_count{signalr_transport="web_sockets",signalr_connection_status="normal_closure",otel_scope_name="nest-signalr"} 2',
    );
    expect(text).toContain(
      'signalr_server_connection_duration_count{signalr_transport="long_polling",signalr_connection_status="normal_closure",otel_scope_name="nest-signalr"} 1',
    );
  });
});
