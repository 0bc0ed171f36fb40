import type { ConnectionRequest } from '../connections/connection-request.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { HubStatistics } from '../diagnostics/hub-statistics.js';
import { MessageType } from '../protocol/hub-message.js';
import { JsonHubProtocol } from '../protocol/json-hub-protocol.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import type { Transport } from '../transports/transport.js';
import { fromAsyncIterable } from './async-iterable-observable.js';
import { DEFAULT_HUB_OPTIONS } from './default-hub-options.js';
import { ConnectionState, HubConnectionContext } from './hub-connection-context.js';
import type { HubConnectionHandler } from './hub-connection-handler.js';
import { MessageBuffer } from './message-buffer.js';

/** A transport whose client never reads: everything sent stays buffered until the test drains it. */
class StalledTransport implements Transport {
  readonly type = HttpTransportType.WebSockets;
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;
  readonly joinable = false;
  readonly receiving = true;
  bufferedAmount = 0;
  send(data: Buffer): void {
    this.bufferedAmount += data.length;
  }
  start(): void {}
  close(): void {}
}

function connectedContext(transport: Transport): HubConnectionContext {
  const handler = {
    heartbeat: { now: 0 },
    options: DEFAULT_HUB_OPTIONS,
    statistics: new HubStatistics(),
  } as unknown as HubConnectionHandler;
  const connection = new HubConnectionContext(handler, {
    connectionId: 'c1',
    transport,
    request: {} as ConnectionRequest,
    user: undefined,
    userIdentifier: undefined,
  });
  connection.protocol = new JsonHubProtocol();
  connection.state = ConnectionState.Connected;
  return connection;
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await nextTurn();
}

describe('a server stream to a client that does not read', () => {
  it('stops pulling an endless generator once the transport holds 64 KB, and goes on when it drains', async () => {
    const transport = new StalledTransport();
    const connection = connectedContext(transport);
    let pulled = 0;
    async function* endless() {
      for (;;) yield { n: ++pulled, padding: 'x'.repeat(100) };
    }
    const subscription = fromAsyncIterable(endless(), connection).subscribe((item) =>
      connection.writeMessage({ type: MessageType.StreamItem, invocationId: '1', item }),
    );

    await turns(50);
    const stalledAt = pulled;
    expect(transport.bufferedAmount).toBeGreaterThanOrEqual(65_536);
    expect(transport.bufferedAmount).toBeLessThan(65_536 + 32_768); // one more unit at most
    await turns(50);
    expect(pulled).toBe(stalledAt); // nothing more while stalled, however long

    transport.bufferedAmount = 0; // the client read everything
    const deadline = Date.now() + 1_000;
    while (pulled === stalledAt && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(pulled).toBeGreaterThan(stalledAt);
    subscription.unsubscribe();
    connection.state = ConnectionState.Disconnected;
  });
});

/** A transport whose client reads everything at once. */
class FastTransport implements Transport {
  readonly type = HttpTransportType.WebSockets;
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;
  readonly joinable = false;
  readonly receiving = true;
  readonly bufferedAmount = 0;
  sent = 0;
  send(data: Buffer): void {
    this.sent += data.length;
  }
  start(): void {}
  close(): void {}
}

describe('a server stream to a stateful-reconnect client that does not acknowledge', () => {
  it('stops pulling once the replay buffer is half full, and goes on when the client acknowledges', async () => {
    const transport = new FastTransport();
    const connection = connectedContext(transport);
    connection.messageBuffer = new MessageBuffer(10_000);
    let pulled = 0;
    async function* endless() {
      for (;;) yield { n: ++pulled, padding: 'x'.repeat(100) };
    }
    const subscription = fromAsyncIterable(endless(), connection).subscribe((item) =>
      connection.writeMessage({ type: MessageType.StreamItem, invocationId: '1', item }),
    );

    await turns(50);
    const stalledAt = pulled;
    // Half of the buffer, and one item more: never an overflow.
    expect(connection.messageBuffer.bufferedBytes).toBeGreaterThan(5_000);
    expect(connection.messageBuffer.bufferedBytes).toBeLessThan(5_200);
    expect(connection.state).toBe(ConnectionState.Connected);
    await turns(50);
    expect(pulled).toBe(stalledAt);

    connection.messageBuffer.ack(stalledAt); // the client acknowledged everything
    await turns(5);
    expect(pulled).toBeGreaterThan(stalledAt);
    subscription.unsubscribe();
    connection.state = ConnectionState.Disconnected;
  });
});
