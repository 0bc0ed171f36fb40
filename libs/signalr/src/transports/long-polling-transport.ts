import type { ServerResponse } from 'node:http';
import type { HeartbeatListener } from '../connections/heartbeat.js';
import { HttpTransportType } from './http-transport-type.js';
import { PostingTransport } from './posting-transport.js';
import type { Transport, TransportReceiver } from './transport.js';

/** What long polling needs of the hub's options, and its heartbeat (clock and timer). */
export interface LongPollingSettings {
  readonly options: {
    readonly pollTimeout: number;
    readonly disconnectTimeout: number;
    readonly transportMaxBufferSize: number;
  };
  readonly heartbeat: {
    readonly now: number;
    add(listener: HeartbeatListener): void;
    delete(listener: HeartbeatListener): void;
  };
}

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Long polling (ASP.NET Core's LongPollingServerTransport and the polling
 * part of its HttpConnectionContext). The client's GET polls wait here until
 * output is queued, then take everything queued in one response; a poll with
 * nothing to take returns 200 empty after `pollTimeout`, and 204 once the
 * connection has ended. Between polls the connection is inactive: one that
 * sees no poll for `disconnectTimeout` is disposed. Sends arrive by POST.
 *
 * Output waiting for a poll is bounded by `transportMaxBufferSize`: a client
 * that stops polling while more arrives is closed with an error.
 */
export class LongPollingTransport extends PostingTransport implements Transport, HeartbeatListener {
  readonly type = HttpTransportType.LongPolling;
  readonly supportsBinary = true;
  /** Every poll is answered within the poll timeout: the client needs no pings. */
  readonly inherentKeepAlive = true;
  /** A connection's polls come one after the other. */
  readonly joinable = true;

  /** The poll waiting for output, if any. */
  private waitingPoll?: ServerResponse;
  private pollStartedAt = 0;
  /** When the last poll ended (or the first one was answered). */
  private lastSeenAt: number;
  private queue?: Buffer | Buffer[];
  private queuedBytes = 0;
  /** Called once, when the connection token is no longer needed; unset once called. */
  private release?: () => void;
  /** No poll came within the disconnect timeout. */
  timedOut = false;

  constructor(
    private readonly settings: LongPollingSettings,
    /** The first poll: it starts the connection. */
    private firstPoll: ServerResponse | undefined,
  ) {
    super();
    this.lastSeenAt = settings.heartbeat.now;
  }

  get bufferedAmount(): number {
    return this.queuedBytes;
  }

  /** The first poll starts the connection and returns at once, as the client expects. */
  start(receiver: TransportReceiver, release: () => void): void {
    this.receiver = receiver;
    this.release = release;
    respond(this.firstPoll!, 200, 'application/octet-stream', EMPTY);
    this.firstPoll = undefined;
    this.lastSeenAt = this.settings.heartbeat.now;
    // Between polls nobody else watches the connection: poll and disconnect timeouts go by the hub's heartbeat.
    this.settings.heartbeat.add(this);
  }

  /** A poll: answered now if output waits or the connection ended, else held. */
  poll(response: ServerResponse): void {
    // A newer poll supersedes the one waiting (ASP.NET Core's CancelPreviousPoll).
    if (this.waitingPoll) this.answerPoll(204);
    if (this.queuedBytes > 0) {
      this.sendQueue(response);
    } else if (this.ended) {
      respond(response, 204);
      this.dispose();
    } else {
      this.waitingPoll = response;
      // Not the heartbeat's coarse clock: that may be a tick old, and a poll is held for at least pollTimeout.
      this.pollStartedAt = Date.now();
      response.once('close', () => {
        // The client gave up on this poll (it aborts it when it stops).
        if (this.waitingPoll === response) this.pollEnded();
      });
    }
  }

  send(data: Buffer): void {
    if (this.ended) return;
    const queued = this.queuedBytes;
    if (queued > 0 && queued + data.length > this.settings.options.transportMaxBufferSize) {
      this.queue = undefined;
      this.queuedBytes = 0;
      this.receiver?.transportFailed(
        new Error(
          `More than ${this.settings.options.transportMaxBufferSize} bytes were waiting for the client to poll.`,
        ),
      );
      return;
    }
    const queue = this.queue;
    if (queue === undefined) this.queue = data;
    else if (Array.isArray(queue)) queue.push(data);
    else this.queue = [queue, data];
    this.queuedBytes = queued + data.length;
    if (this.waitingPoll) this.answerPoll(200);
  }

  /** The connection ended: a waiting poll takes the last output, or 204. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waitingPoll) {
      const hasOutput = this.queuedBytes > 0;
      this.answerPoll(hasOutput ? 200 : 204);
      if (!hasOutput) this.dispose();
    }
    this.receiver?.transportClosed();
  }

  /** DELETE, no poll within the disconnect timeout, or shutdown: ends everything now. */
  terminate(): void {
    const wasEnded = this.ended;
    this.ended = true;
    this.queue = undefined;
    this.queuedBytes = 0;
    if (this.waitingPoll) this.answerPoll(204);
    this.dispose();
    if (!wasEnded) this.receiver?.transportClosed();
  }

  onHeartbeat(now: number): void {
    if (this.waitingPoll) {
      if (now - this.pollStartedAt >= this.settings.options.pollTimeout) this.answerPoll(200);
    } else if (now - this.lastSeenAt >= this.settings.options.disconnectTimeout) {
      this.timedOut = true;
      this.terminate();
    }
  }

  /** Answers the waiting poll: with the queued output, or empty (timeout), or 204 (ended). */
  private answerPoll(status: 200 | 204): void {
    const response = this.waitingPoll!;
    this.pollEnded();
    if (status === 204) respond(response, 204);
    else if (this.queuedBytes > 0) this.sendQueue(response);
    else respond(response, 200, 'text/plain', EMPTY);
  }

  private sendQueue(response: ServerResponse): void {
    // A poll whose client is already gone leaves the output for the next one.
    if (response.destroyed) return;
    const queue = this.queue!;
    this.queue = undefined;
    this.queuedBytes = 0;
    respond(response, 200, 'application/octet-stream', Array.isArray(queue) ? Buffer.concat(queue) : queue);
    this.lastSeenAt = this.settings.heartbeat.now;
  }

  private pollEnded(): void {
    this.waitingPoll = undefined;
    this.lastSeenAt = this.settings.heartbeat.now;
  }

  private dispose(): void {
    const release = this.release;
    if (release === undefined) return;
    this.release = undefined;
    this.settings.heartbeat.delete(this);
    release();
  }
}

function respond(response: ServerResponse, status: number, contentType = 'text/plain', body: Buffer = EMPTY): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.length });
  response.end(body);
}
