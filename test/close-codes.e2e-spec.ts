import { HttpTransportType } from '@microsoft/signalr';
import request from 'supertest';
import WebSocket from 'ws';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { closed, connectHub } from './support/hub-client.js';
import { RawHubSocket } from './support/raw-socket.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';

/** Opens a plain WebSocket, as the official client's Node transport does (with `ws`). */
async function openSocket(
  url: string,
): Promise<{ socket: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  const closedEvent = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { socket, closed: closedEvent };
}

/**
 * WebSocket Close frames as ASP.NET Core sends them: a client that closes
 * without a status code (what the official client and browsers do on stop;
 * the official client does not wait for the answer, so `ws`, the library it
 * uses in Node, shows it here)
 * is answered with 1000, not with an empty Close (which the client reports
 * as 1005); the server's own closes carry 1000, or 1011 after an error, with
 * an empty reason.
 */
describe.each(HTTP_PLATFORMS)('WebSocket close codes on %s', (platform) => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(DemoModule, platform);
  });
  afterAll(() => server.close());

  it('answers a hub client that closes without a status with 1000', async () => {
    const raw = await RawHubSocket.connect(`${server.url}/chatHub`);
    raw.socket.close();
    expect(await raw.closed).toEqual({ code: 1000 });
  });

  it('lets the official client stop over WebSockets without a close error', async () => {
    const connection = await connectHub(`${server.url}/chatHub`, { transport: HttpTransportType.WebSockets });
    const closeError = closed(connection);
    await connection.stop();
    expect(await closeError).toBeUndefined();
  });

  it('closes a hub connection with 1011 after a protocol error', async () => {
    const raw = await RawHubSocket.connect(`${server.url}/chatHub`);
    raw.sendText('{"type":1,"target":\x1e');
    const close = await raw.nextNonPing();
    expect(close).toMatchObject({ type: 7, error: 'Connection closed with an error.' });
    expect(await raw.closed).toEqual({ code: 1011 });
  });

  it('answers a connection handler client that closes without a status with 1000', async () => {
    const { body } = await request(server.url).post('/echo/negotiate?negotiateVersion=1').expect(200);
    const { socket, closed: closeEvent } = await openSocket(`${server.url}/echo?id=${body.connectionToken}`);
    socket.close();
    expect(await closeEvent).toEqual({ code: 1000, reason: '' });
  });

  it('answers a plain gateway client that closes without a status with 1000', async () => {
    const { socket, closed: closeEvent } = await openSocket(`${server.url}/ws`);
    socket.close();
    expect(await closeEvent).toEqual({ code: 1000, reason: '' });
  });
});
