import type { ServerResponse } from 'node:http';
import { HttpTransportType } from './http-transport-type.js';
import { PostingTransport } from './posting-transport.js';
import type { Transport, TransportReceiver } from './transport.js';

const LF = 0x0a;
const CR = 0x0d;
const DATA = Buffer.from('data: ');
const CRLF = Buffer.from('\r\n');
/** A comment line: makes EventSource fire `open` at once (some browsers wait for data). */
const OPENING_COMMENT = ':\r\n';

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache,no-store',
  Pragma: 'no-cache',
  'Content-Encoding': 'identity',
};

/**
 * Server-Sent Events (ASP.NET Core's ServerSentEventsServerTransport): the
 * response to the client's `GET` with `Accept: text/event-stream` carries the
 * output, one event per transport unit; sends arrive by POST. Text only: the
 * event format cannot carry arbitrary bytes, so binary protocols are refused
 * at the handshake. The hub's keep-alive pings keep the stream busy.
 *
 * Output that Node could not yet hand to the OS is bounded by
 * `transportMaxBufferSize`: a client that stops reading while more arrives is
 * closed with an error and its stream destroyed.
 */
export class ServerSentEventsTransport extends PostingTransport implements Transport {
  readonly type = HttpTransportType.ServerSentEvents;
  readonly supportsBinary = false;
  /** The hub's keep-alive pings keep the stream busy. */
  readonly inherentKeepAlive = false;
  /** Only one event stream per connection. */
  readonly joinable = false;

  private overflowed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly maxBufferSize: number,
  ) {
    super();
  }

  get bufferedAmount(): number {
    return this.response.writableLength;
  }

  /** Opens the stream; `release` runs once it is over, whoever ended it. */
  start(receiver: TransportReceiver, release: () => void): void {
    this.receiver = receiver;
    const response = this.response;
    response.once('close', () => {
      this.ended = true;
      release();
      receiver.transportClosed();
    });
    response.writeHead(200, STREAM_HEADERS);
    response.write(OPENING_COMMENT);
  }

  send(data: Buffer): void {
    if (this.ended || this.overflowed) return;
    const waiting = this.response.writableLength;
    if (waiting > 0 && waiting + data.length > this.maxBufferSize) {
      this.overflowed = true;
      this.receiver?.transportFailed(
        new Error(`More than ${this.maxBufferSize} bytes were waiting for the client to read the event stream.`),
      );
      return;
    }
    writeEvent(this.response, data);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    // A client that does not read would hold the rest of the stream in memory.
    if (this.overflowed) this.response.destroy();
    else this.response.end();
  }
}

/**
 * One event: each line of the payload as a `data:` line (the client joins
 * them with LF again), then a blank line. JSON output has no raw line breaks,
 * so this is normally a single line.
 */
function writeEvent(response: ServerResponse, data: Buffer): void {
  response.cork();
  let start = 0;
  for (;;) {
    const lf = data.indexOf(LF, start);
    const end = lf === -1 ? data.length : lf;
    const lineEnd = end > start && data[end - 1] === CR ? end - 1 : end;
    response.write(DATA);
    if (lineEnd > start) response.write(start === 0 && lineEnd === data.length ? data : data.subarray(start, lineEnd));
    response.write(CRLF);
    if (lf === -1) break;
    start = lf + 1;
  }
  response.write(CRLF);
  response.uncork();
}
