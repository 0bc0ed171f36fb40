import { HttpTransportType, type HubConnection } from '@microsoft/signalr';
import request from 'supertest';
import { closed, connectHub, TRANSPORTS } from './support/hub-client.js';
import { EventStream, negotiate, readText, startLongPolling } from './support/raw-http.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const RS = '\x1e';
const TOO_LARGE =
  'Connection closed with an error. InvalidDataException: The maximum message size of 1024B was exceeded. The message size can be configured in AddHubOptions.';
/** WebSocket messages and POST bodies may carry several hub messages: 4 × the limit, at least 1 MiB. */
const MAX_BODY = 1024 * 1024;

const limits = transportHub('/limits', { maximumReceiveMessageSize: 1024, enableDetailedErrors: true });
const LimitsModule = hubsModule([limits.hub]);

describe.each(HTTP_PLATFORMS)('receive limits on %s', (platform) => {
  let server: RunningApp;
  const connections: HubConnection[] = [];
  const http = () => request(server.url);

  beforeAll(async () => {
    server = await startApp(LimitsModule, platform);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it.each(TRANSPORTS)(
    'closes a %s connection that sends a message over the limit, with the same error',
    async (_name, transport: HttpTransportType) => {
      const connection = await connectHub(`${server.url}/limits`, { transport });
      connections.push(connection);
      const error = closed(connection);
      connection.invoke('Echo', 'x'.repeat(2000)).catch(() => undefined);
      expect((await error)?.message).toBe(`Server returned an error on close: ${TOO_LARGE}`);
    },
  );

  it('answers 413 to a POST body over the limit, and closes the long-polling connection as over WebSockets', async () => {
    const token = await startLongPolling(server.url, '/limits');
    await http().post(`/limits?id=${token}`).send(`{"protocol":"json","version":1}${RS}`).expect(200);
    await http()
      .post(`/limits?id=${token}`)
      .send(`{"type":6}${RS}`.repeat(MAX_BODY / 10 + 1))
      .expect(413, `The request body is larger than ${MAX_BODY} bytes.`);
    const poll = await http().get(`/limits?id=${token}`).buffer(true).parse(readText).expect(200);
    expect(poll.body).toBe(`{}${RS}{"type":7,"error":${JSON.stringify(TOO_LARGE)},"allowReconnect":true}${RS}`);
    await http().get(`/limits?id=${token}`).expect(204);
  });

  it('answers 413 to a chunked POST body that grows over the limit, and closes the event stream', async () => {
    const { connectionToken } = await negotiate(server.url, '/limits');
    const stream = await EventStream.open(`${server.url}/limits?id=${connectionToken}`);
    try {
      await http().post(`/limits?id=${connectionToken}`).send(`{"protocol":"json","version":1}${RS}`).expect(200);
      const chunked = http().post(`/limits?id=${connectionToken}`).set('Transfer-Encoding', 'chunked');
      const piece = `{"type":6}${RS}`.repeat(6554); // about 64 KB of pings
      for (let sent = 0; sent <= MAX_BODY; sent += piece.length) chunked.write(piece);
      await chunked.expect(413);
      await stream.until(`data: {"type":7,"error":${JSON.stringify(TOO_LARGE)},"allowReconnect":true}${RS}\r\n\r\n`);
      await stream.ended();
    } finally {
      stream.close();
    }
  });
});
