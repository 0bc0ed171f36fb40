import type { ConnectionRequest } from '../connections/connection-request.js';
import { type HubMessage, MessageType } from '../protocol/hub-message.js';
import { JsonHubProtocol } from '../protocol/json-hub-protocol.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import type { Transport } from '../transports/transport.js';
import { DEFAULT_HUB_OPTIONS } from './default-hub-options.js';
import { ConnectionState, HubConnectionContext } from './hub-connection-context.js';
import type { HubConnectionHandler } from './hub-connection-handler.js';

const RS = '\x1e';
const item = (n: number) =>
  Buffer.from(JSON.stringify({ type: MessageType.StreamItem, invocationId: 'u', item: n }) + RS);

class TestTransport implements Transport {
  readonly type = HttpTransportType.LongPolling;
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;
  readonly joinable = false;
  readonly receiving = true;
  readonly bufferedAmount = 0;
  paused = false;
  closedWithError?: boolean;
  start(): void {}
  send(): void {}
  close(error?: boolean): void {
    this.closedWithError = error;
  }
}

class PausableTransport extends TestTransport {
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

/** A connection past its handshake whose handler accepts `room` stream items, then reports a full upload stream. */
function connection(transport: Transport, room: { left: number }) {
  const received: unknown[] = [];
  const handler = {
    heartbeat: { now: 0, add() {} },
    options: DEFAULT_HUB_OPTIONS,
    selectProtocol: () => ({ protocol: new JsonHubProtocol() }),
    onHandshakeCompleted: () => undefined,
    onMessage: (_connection: unknown, message: HubMessage) => {
      received.push((message as { item?: unknown }).item);
      return --room.left > 0;
    },
    describeError: (text: string) => text,
    onConnectionClosed: () => undefined,
  } as unknown as HubConnectionHandler;
  const context = new HubConnectionContext(handler, {
    connectionId: 'c1',
    transport,
    request: {} as ConnectionRequest,
    user: undefined,
    userIdentifier: undefined,
  });
  context.receive(Buffer.from(JSON.stringify({ protocol: 'json', version: 1 }) + RS));
  context.startReceiving();
  return { context, received };
}

const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('a connection whose upload stream is full', () => {
  it('stops parsing and pauses its transport, then resumes where it stopped', async () => {
    const transport = new PausableTransport();
    const room = { left: 2 };
    const { context, received } = connection(transport, room);
    context.receive(Buffer.concat([item(1), item(2), item(3)]));
    expect(received).toEqual([1, 2]);
    expect(transport.paused).toBe(true);
    context.receive(item(4)); // delivered by the transport before it paused
    expect(received).toEqual([1, 2]);
    expect(context.inputBacklog).toBe(item(3).length + item(4).length);

    room.left = 10;
    context.resumeReceiving();
    await microtasks();
    expect(received).toEqual([1, 2, 3, 4]);
    expect(transport.paused).toBe(false);
    expect(context.inputBacklog).toBe(0);
  });

  it('closes a connection whose transport cannot pause once too much waits', () => {
    const transport = new TestTransport();
    const { context } = connection(transport, { left: 1 });
    context.receive(item(1));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let i = 0; i < 4; i++) context.receive(chunk);
    expect(context.state).toBe(ConnectionState.Connected);
    context.receive(chunk);
    expect(context.state).toBe(ConnectionState.Disconnected);
    expect(transport.closedWithError).toBe(true);
  });
});
