import { HttpTransportType, type HubConnection } from '@microsoft/signalr';
import request from 'supertest';
import { connectHub } from './support/hub-client.js';
import { EventStream, negotiate, readText, startLongPolling } from './support/raw-http.js';
import { HTTP_PLATFORMS, type RunningApp, startApp } from './support/test-app.js';
import { hubsModule, transportHub } from './support/transport-hubs.js';

const RS = '\x1e';
const event = (payload: string) => `data: ${payload}\r\n\r\n`;

const events = transportHub('/events');
const bounded = transportHub('/eventsBounded', {
  transportMaxBufferSize: 65_536,
  maximumReceiveMessageSize: 1_048_576,
  enableDetailedErrors: true,
});
const EventsModule = hubsModule([events.hub, bounded.hub]);

/** Server-Sent Events as the wire sees them (ASP.NET Core's ServerSentEventsServerTransport). */
describe.each(HTTP_PLATFORMS)('Server-Sent Events on %s', (platform) => {
  let server: RunningApp;
  const streams: EventStream[] = [];
  const connections: HubConnection[] = [];
  const http = () => request(server.url);

  async function openStream(path: string) {
    const { connectionToken } = await negotiate(server.url, path);
    const stream = await EventStream.open(`${server.url}${path}?id=${connectionToken}`);
    streams.push(stream);
    return { stream, send: (body: string) => http().post(`${path}?id=${connectionToken}`).send(body).expect(200) };
  }

  beforeAll(async () => {
    server = await startApp(EventsModule, platform);
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it('opens the stream with a comment, uncached and unencoded', async () => {
    const { stream } = await openStream('/events');
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers).toMatchObject({
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache,no-store',
      pragma: 'no-cache',
      'content-encoding': 'identity',
    });
    expect(await stream.until(':\r\n')).toBe(':\r\n');
  });

  it('writes each transport unit as one event, and takes the client messages by POST', async () => {
    const { stream, send } = await openStream('/events');
    await send(`{"protocol":"json","version":1}${RS}`);
    await stream.until(event(`{}${RS}`));
    await send(`{"type":1,"invocationId":"1","target":"Echo","arguments":["hi"]}${RS}`);
    expect(await stream.until(event(`{"type":3,"invocationId":"1","result":"hi"}${RS}`))).toBe(
      `:\r\n${event(`{}${RS}`)}${event(`{"type":3,"invocationId":"1","result":"hi"}${RS}`)}`,
    );
  });

  it('refuses MessagePack at the handshake (Text only), which long polling accepts', async () => {
    const { stream, send } = await openStream('/events');
    await send(`{"protocol":"messagepack","version":1}${RS}`);
    const error =
      "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format.";
    await stream.until(event(`{"error":"${error}"}${RS}`));
    await stream.ended();

    const token = await startLongPolling(server.url, '/events');
    await http().post(`/events?id=${token}`).send(`{"protocol":"messagepack","version":1}${RS}`).expect(200);
    const poll = await http().get(`/events?id=${token}`).buffer(true).parse(readText).expect(200);
    expect(poll.body).toBe(`{}${RS}`);
    await http().delete(`/events?id=${token}`).expect(202);
  });

  it('ends the stream after the Close event when the server ends the connection', async () => {
    const { stream, send } = await openStream('/events');
    const before = events.record.disconnected;
    await send(`{"protocol":"json","version":1}${RS}`);
    await send(`{"type":1,"target":"Abort","arguments":[]}${RS}`);
    await stream.until(event(`{"type":7}${RS}`));
    await stream.ended();
    await events.record.untilDisconnected(before + 1);
    expect(events.record.state()).toMatchObject({ connections: 0, negotiated: 0, active: 0, lifetime: 0 });
  });

  it('ends the connection when the client closes the stream', async () => {
    const { stream, send } = await openStream('/events');
    const before = events.record.disconnected;
    await send(`{"protocol":"json","version":1}${RS}`);
    await stream.until(event(`{}${RS}`));
    stream.close();
    await events.record.untilDisconnected(before + 1);
    expect(events.record.errors.at(-1)).toBeUndefined();
    expect(events.record.state()).toMatchObject({ connections: 0, negotiated: 0, active: 0, lifetime: 0 });
  });

  it('closes a client that stops reading once more than transportMaxBufferSize waits', async () => {
    const { stream, send } = await openStream('/eventsBounded');
    await send(`{"protocol":"json","version":1}${RS}`);
    await stream.until(event(`{}${RS}`));
    stream.response.pause(); // the client stops reading: the socket buffers fill, then Node's
    const sender = await connectHub(`${server.url}/eventsBounded`, { transport: HttpTransportType.WebSockets });
    connections.push(sender);
    const before = bounded.record.disconnected;
    const chunk = 'x'.repeat(256 * 1024);
    // Nothing tells when the OS buffers are full: send until the server gives up, within bounds.
    for (let sent = 0; bounded.record.disconnected === before && sent < 400; sent++) {
      await sender.invoke('Send', chunk);
    }
    await bounded.record.untilDisconnected(before + 1);
    expect(bounded.record.errors.at(-1)).toBe(
      'More than 65536 bytes were waiting for the client to read the event stream.',
    );
    // The sender is unaffected.
    expect(await sender.invoke('Echo', 'still here')).toBe('still here');
  });
});
