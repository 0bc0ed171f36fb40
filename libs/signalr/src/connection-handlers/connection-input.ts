/** Input waiting for the application beyond this many bytes stops the transport until it catches up. */
const PAUSE_BYTES = 65_536;
const RESUME_BYTES = 32_768;

/** What the input asks of the transport for back-pressure. */
export interface InputFlow {
  pause(): void;
  resume(): void;
}

/**
 * The client's messages as an async iterable that ends when the client
 * disconnects. Messages wait here until the application reads them; when
 * more than 64 KiB wait, the transport stops reading the client (as ASP.NET
 * Core's pipe does at its threshold) until half of it has been read.
 */
export class ConnectionInput implements AsyncIterable<string | Buffer> {
  private readonly queue: (string | Buffer)[] = [];
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  private reader?: (result: IteratorResult<string | Buffer>) => void;

  constructor(private readonly flow: InputFlow) {}

  push(message: string | Buffer): void {
    if (this.ended) return;
    if (this.reader) {
      const reader = this.reader;
      this.reader = undefined;
      reader({ value: message, done: false });
      return;
    }
    this.queue.push(message);
    this.queuedBytes += message.length;
    if (!this.paused && this.queuedBytes > PAUSE_BYTES) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** The client is gone: reading ends once the messages that arrived before are read. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.reader?.({ value: undefined, done: true });
    this.reader = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<string | Buffer> {
    return {
      next: () => this.next(),
      // The application stopped reading (break): what is left is dropped.
      return: () => {
        this.queue.length = 0;
        this.queuedBytes = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private next(): Promise<IteratorResult<string | Buffer>> {
    const message = this.queue.shift();
    if (message !== undefined) {
      this.queuedBytes -= message.length;
      if (this.paused && this.queuedBytes <= RESUME_BYTES) {
        this.paused = false;
        this.flow.resume();
      }
      return Promise.resolve({ value: message, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    if (this.reader) return Promise.reject(new Error('The connection input is already being read.'));
    return new Promise((resolve) => (this.reader = resolve));
  }
}
