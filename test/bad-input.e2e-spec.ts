import type { HubConnection } from '@microsoft/signalr';
import { connectHub, Inbox } from './support/hub-client.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { SelectorsModule } from './fixtures/selectors.hub.js';
import { TimeoutsModule } from './fixtures/timeouts.hub.js';

const RS = '\x1e';
const CLOSED_WITH_ERROR = { type: 7, error: 'Connection closed with an error.', allowReconnect: true };

/** Frames that break the protocol: the sender is closed with an error Close. */
const protocolViolations: [string, string][] = [
  ['malformed JSON', '{"type":1,' + RS],
  ['a JSON array instead of an object', '[1,2]' + RS],
  ['a message without a type', '{"target":"All","arguments":[]}' + RS],
  ['a type that is not a number', '{"type":"1","target":"All","arguments":[]}' + RS],
  ['an invocation without a target', '{"type":1,"arguments":[]}' + RS],
  ['an invocation without arguments', '{"type":1,"target":"All"}' + RS],
  ['arguments that are not an array', '{"type":1,"target":"All","arguments":{}}' + RS],
  ['a target that is not a string', '{"type":1,"target":7,"arguments":[]}' + RS],
  ['a completion with both error and result', '{"type":3,"invocationId":"1","error":"x","result":1}' + RS],
  ['a stream invocation without an id', '{"type":4,"target":"All","arguments":[]}' + RS],
];

describe('bad input', () => {
  let server: RunningApp;
  let bystander: HubConnection;
  let bystanderInbox: Inbox;

  beforeAll(async () => {
    server = await startApp(SelectorsModule);
    bystander = await connectHub(`${server.url}/selectors`);
    bystanderInbox = new Inbox(bystander, 'Receive');
  });
  afterAll(async () => {
    await bystander.stop();
    await server.close();
  });

  /** The well-behaved client still chats after each bad one. */
  async function expectBystanderUnharmed(text: string) {
    await bystander.invoke('Caller', text);
    expect((await bystanderInbox.next())[0]).toBe(text);
  }

  it.each(protocolViolations)('%s closes only the sender, with an error', async (name, frame) => {
    const raw = await RawHubSocket.connect(`${server.url}/selectors`);
    raw.sendText(frame);
    expect(await raw.nextNonPing()).toEqual(CLOSED_WITH_ERROR);
    await raw.closed;
    await expectBystanderUnharmed(name);
  });

  it('ignores unknown message types, as later protocol versions may add some', async () => {
    const raw = await RawHubSocket.connect(`${server.url}/selectors`);
    raw.sendText('{"type":99,"whatever":true}' + RS);
    raw.send({ type: 1, invocationId: '1', target: 'Barrier', arguments: [] });
    expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1' });
    raw.close();
  });

  it('answers a handshake with an unknown protocol with the ASP.NET Core error', async () => {
    const raw = await RawHubSocket.open(`${server.url}/selectors`);
    raw.send({ protocol: 'xml', version: 1 });
    expect(await raw.next()).toEqual({ error: "The protocol 'xml' is not supported." });
    await raw.closed;
  });

  it('answers an unsupported protocol version', async () => {
    const raw = await RawHubSocket.open(`${server.url}/selectors`);
    raw.send({ protocol: 'json', version: 99 });
    expect(await raw.next()).toEqual({ error: "The server does not support version 99 of the 'json' protocol." });
    await raw.closed;
  });

  it('answers garbage before the handshake', async () => {
    const raw = await RawHubSocket.open(`${server.url}/selectors`);
    raw.sendText('hello there' + RS);
    expect(await raw.next()).toEqual({ error: 'An unexpected error occurred during connection handshake.' });
    await raw.closed;
    await expectBystanderUnharmed('after garbage');
  });

  it('accepts a message split across frames, and several messages in one frame', async () => {
    const raw = await RawHubSocket.connect(`${server.url}/selectors`);
    raw.sendText('{"type":1,"invocationId":"1","tar');
    raw.sendText('get":"Barrier","arguments":[]}' + RS + '{"type":1,"invocationId":"2","target":"Barrier","arguments":[]}' + RS);
    expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1' });
    expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '2' });
    raw.close();
  });
});

describe('oversized messages', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(TimeoutsModule);
  });
  afterAll(() => server.close());

  it('closes the official client that exceeds maximumReceiveMessageSize, and only it', async () => {
    const big = await connectHub(`${server.url}/small`);
    const small = await connectHub(`${server.url}/small`);
    const closedWith = new Promise<Error | undefined>((resolve) => big.onclose(resolve));
    await expect(big.invoke('Echo', 'x'.repeat(2000))).rejects.toThrow();
    expect((await closedWith)?.message).toBe('Server returned an error on close: Connection closed with an error.');
    expect(await small.invoke('Echo', 'still fine')).toBe('still fine');
    await small.stop();
  });

  it('closes a sender whose unterminated message outgrows the limit', async () => {
    const raw = await RawHubSocket.connect(`${server.url}/small`);
    raw.sendText('{"type":1,"target":"Echo","arguments":["' + 'y'.repeat(1500));
    expect(await raw.nextNonPing()).toEqual(CLOSED_WITH_ERROR);
    await raw.closed;
  });
});
