import { HttpTransportType } from '@microsoft/signalr';
import request from 'supertest';
import type WebSocket from 'ws';
import { EventStream, negotiate, openWebSocket, startLongPolling, UPGRADE_HEADERS } from './support/raw-http.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const all = transportHub('/codes');
const longPollingOnly = transportHub('/codesLongPollingOnly', { transports: HttpTransportType.LongPolling });
const noLongPolling = transportHub('/codesNoLongPolling', {
  transports: HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents,
});
const StatusCodesModule = hubsModule([all.hub, longPollingOnly.hub, noLongPolling.hub]);

/**
 * ASP.NET Core's answers to transport requests that cannot go on, status and
 * text/plain body, on each HTTP platform.
 */
describe.each(HTTP_PLATFORMS)('transport status codes on %s', (platform) => {
  let server: RunningApp;
  const sockets: WebSocket[] = [];
  const streams: EventStream[] = [];

  const http = () => request(server.url);
  const upgrade = (path: string) => http().get(path).set(UPGRADE_HEADERS);

  async function startWebSocket(path: string): Promise<string> {
    const { connectionToken } = await negotiate(server.url, path);
    sockets.push(await openWebSocket(`${server.url}${path}?id=${connectionToken}`));
    return connectionToken;
  }

  async function startEventStream(path: string): Promise<string> {
    const { connectionToken } = await negotiate(server.url, path);
    const stream = await EventStream.open(`${server.url}${path}?id=${connectionToken}`);
    streams.push(stream);
    expect(stream.response.statusCode).toBe(200);
    return connectionToken;
  }

  beforeAll(async () => {
    server = await startApp(StatusCodesModule, platform);
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.terminate();
    for (const stream of streams.splice(0)) stream.close();
  });
  afterAll(() => server.close());

  it('answers 400 "Connection ID required" to every transport request without an id', async () => {
    await http().get('/codes').expect(400, 'Connection ID required');
    await http().get('/codes?id=').expect(400, 'Connection ID required');
    await http().get('/codes').set('Accept', 'text/event-stream').expect(400, 'Connection ID required');
    await http().post('/codes').send('{}\x1e').expect(400, 'Connection ID required');
    await http().delete('/codes').expect(400, 'Connection ID required');
  });

  it('answers 404 "No Connection with that ID" to an unknown id, whatever the transport', async () => {
    await http().get('/codes?id=unknown').expect(404, 'No Connection with that ID');
    await http().get('/codes?id=unknown').set('Accept', 'text/event-stream').expect(404, 'No Connection with that ID');
    await http().post('/codes?id=unknown').send('{}\x1e').expect(404, 'No Connection with that ID');
    await http().delete('/codes?id=unknown').expect(404, 'No Connection with that ID');
    await upgrade('/codes?id=unknown').expect(404, 'No Connection with that ID');
  });

  it('answers 404 to the connection id where the connection token belongs', async () => {
    const { connectionId } = await negotiate(server.url, '/codes');
    await http().get(`/codes?id=${connectionId}`).expect(404, 'No Connection with that ID');
  });

  it('answers 404 "{Transport} transport not supported by this end point type" to a disabled transport', async () => {
    const { connectionToken } = await negotiate(server.url, '/codesLongPollingOnly');
    await http()
      .get(`/codesLongPollingOnly?id=${connectionToken}`)
      .set('Accept', 'text/event-stream')
      .expect(404, 'ServerSentEvents transport not supported by this end point type');
    await upgrade(`/codesLongPollingOnly?id=${connectionToken}`).expect(
      404,
      'WebSockets transport not supported by this end point type',
    );
    // Without an id (skipNegotiation) too.
    await upgrade('/codesLongPollingOnly').expect(404, 'WebSockets transport not supported by this end point type');

    const other = await negotiate(server.url, '/codesNoLongPolling');
    await http()
      .get(`/codesNoLongPolling?id=${other.connectionToken}`)
      .expect(404, 'LongPolling transport not supported by this end point type');
  });

  it('answers 400 "Cannot change transports mid-connection"', async () => {
    const polling = await startLongPolling(server.url, '/codes');
    await http()
      .get(`/codes?id=${polling}`)
      .set('Accept', 'text/event-stream')
      .expect(400, 'Cannot change transports mid-connection');
    await upgrade(`/codes?id=${polling}`).expect(400, 'Cannot change transports mid-connection');

    const streaming = await startEventStream('/codes');
    await http().get(`/codes?id=${streaming}`).expect(400, 'Cannot change transports mid-connection');

    const socket = await startWebSocket('/codes');
    await http()
      .get(`/codes?id=${socket}`)
      .set('Accept', 'text/event-stream')
      .expect(400, 'Cannot change transports mid-connection');
    await http().delete(`/codes?id=${polling}`).expect(202);
  });

  it('answers 409 to a second WebSocket or event stream for an active connection', async () => {
    const socket = await startWebSocket('/codes');
    await upgrade(`/codes?id=${socket}`).expect(409, '');
    const streaming = await startEventStream('/codes');
    await http().get(`/codes?id=${streaming}`).set('Accept', 'text/event-stream').expect(409, '');
  });

  it('answers 405 to a POST for a WebSocket connection', async () => {
    const socket = await startWebSocket('/codes');
    await http()
      .post(`/codes?id=${socket}`)
      .send('{"type":6}\x1e')
      .expect(405, 'POST requests are not allowed for WebSocket connections.');
  });

  it('answers 400 to a DELETE for a connection that does not poll', async () => {
    const socket = await startWebSocket('/codes');
    await http()
      .delete(`/codes?id=${socket}`)
      .expect(400, 'Cannot terminate this connection using the DELETE endpoint.');
    const streaming = await startEventStream('/codes');
    await http()
      .delete(`/codes?id=${streaming}`)
      .expect(400, 'Cannot terminate this connection using the DELETE endpoint.');
    const { connectionToken } = await negotiate(server.url, '/codes');
    await http()
      .delete(`/codes?id=${connectionToken}`)
      .expect(400, 'Cannot terminate this connection using the DELETE endpoint.');
  });

  it('answers 202 to a DELETE for a long-polling connection, which then is gone', async () => {
    const polling = await startLongPolling(server.url, '/codes');
    await http().delete(`/codes?id=${polling}`).expect(202, '');
    await http().get(`/codes?id=${polling}`).expect(404, 'No Connection with that ID');
    await http().post(`/codes?id=${polling}`).send('{}\x1e').expect(404, 'No Connection with that ID');
  });

  it('answers 405 to other methods, and to negotiate with anything but POST', async () => {
    await http().put('/codes?id=x').expect(405);
    await http().patch('/codes').expect(405);
    await http().options('/codes').expect(405);
    await http().get('/codes/negotiate').expect(405);
  });
});
