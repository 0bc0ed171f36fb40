import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ServerSentEventsTransport } from './server-sent-events-transport.js';
import type { TransportReceiver } from './transport.js';

/** Just enough of a ServerResponse to see what the transport writes. */
class RecordingResponse extends EventEmitter {
  written = '';
  writableLength = 0;
  ended = false;
  writeHead() {
    return this;
  }
  write(chunk: string | Buffer) {
    this.written += chunk.toString();
    return true;
  }
  cork() {}
  uncork() {}
  end() {
    this.ended = true;
    this.emit('close');
  }
  destroy() {
    this.emit('close');
  }
}

function receiver(): TransportReceiver & { failures: Error[]; closes: number } {
  return {
    failures: [],
    closes: 0,
    receive() {},
    transportClosed() {
      this.closes++;
    },
    transportDropped() {
      this.closes++;
      return false;
    },
    transportFailed(error: Error) {
      this.failures.push(error);
    },
  };
}

function open(maxBufferSize = 1024) {
  const response = new RecordingResponse();
  const transport = new ServerSentEventsTransport(response as unknown as ServerResponse, maxBufferSize);
  const connection = receiver();
  let ended = 0;
  transport.start(connection, () => ended++);
  return { response, transport, connection, ended: () => ended };
}

describe('ServerSentEventsTransport', () => {
  it('opens with a comment line', () => {
    expect(open().response.written).toBe(':\r\n');
  });

  it('writes a unit as one event, one data line per payload line', () => {
    const { response, transport } = open();
    transport.send(Buffer.from('{}\x1e'));
    transport.send(Buffer.from('one\ntwo\r\nthree'));
    transport.send(Buffer.from('trailing\n'));
    expect(response.written).toBe(
      ':\r\n' +
        'data: {}\x1e\r\n\r\n' +
        'data: one\r\ndata: two\r\ndata: three\r\n\r\n' +
        // The empty last line keeps the payload's final LF (EventSource joins lines with LF).
        'data: trailing\r\ndata: \r\n\r\n',
    );
  });

  it('fails the connection instead of queueing past the bound, and accepts nothing more', () => {
    const { response, transport, connection } = open(100);
    response.writableLength = 80;
    transport.send(Buffer.alloc(10, 'a'));
    expect(connection.failures).toEqual([]);
    transport.send(Buffer.alloc(30, 'b'));
    expect(connection.failures.map((error) => error.message)).toEqual([
      'More than 100 bytes were waiting for the client to read the event stream.',
    ]);
    transport.send(Buffer.from('late'));
    expect(response.written).not.toContain('b');
    expect(response.written).not.toContain('late');
  });

  it('accepts a single unit larger than the bound when nothing waits', () => {
    const { response, transport, connection } = open(10);
    transport.send(Buffer.alloc(50, 'c'));
    expect(connection.failures).toEqual([]);
    expect(response.written).toContain('c'.repeat(50));
  });

  it('ends the stream once, telling the connection and the dispatcher', () => {
    const { response, transport, connection, ended } = open();
    transport.close();
    transport.close();
    expect(response.ended).toBe(true);
    expect(connection.closes).toBe(1);
    expect(ended()).toBe(1);
    expect(transport.receiving).toBe(false);
  });
});
