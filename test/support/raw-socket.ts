import WebSocket from 'ws';

const RS = '\x1e';

/**
 * A bare WebSocket speaking the JSON hub protocol by hand: only for tests of
 * bad input and wire details the official client hides (pings, Close frames).
 */
export class RawHubSocket {
  readonly records: unknown[] = [];
  readonly closed: Promise<{ code: number }>;
  private waiters: (() => void)[] = [];
  private buffer = '';

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.buffer += data.toString();
      let end: number;
      while ((end = this.buffer.indexOf(RS)) !== -1) {
        this.records.push(JSON.parse(this.buffer.slice(0, end)));
        this.buffer = this.buffer.slice(end + 1);
      }
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        this.waiters.splice(0).forEach((wake) => wake());
        resolve({ code });
      }),
    );
  }

  static async open(url: string, headers?: Record<string, string>): Promise<RawHubSocket> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), { headers });
    const raw = new RawHubSocket(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return raw;
  }

  /** Opens and completes a JSON handshake. */
  static async connect(url: string, headers?: Record<string, string>): Promise<RawHubSocket> {
    const raw = await RawHubSocket.open(url, headers);
    raw.send({ protocol: 'json', version: 1 });
    expect(await raw.next()).toEqual({});
    return raw;
  }

  send(message: unknown): void {
    this.sendText(JSON.stringify(message) + RS);
  }

  sendText(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** Sends one WebSocket frame of exactly these bytes, as a Text or a Binary frame. */
  sendFrame(data: Buffer | string, binary: boolean): void {
    this.socket.send(data, { binary });
  }

  /** Invokes a method and returns the next record that is not a ping (its Completion, or a Close). */
  async invoke(invocationId: string, target: string, ...args: unknown[]): Promise<unknown> {
    this.send({ type: 1, invocationId, target, arguments: args });
    return this.nextNonPing();
  }

  /** The next record not yet taken; undefined once the socket has closed. */
  async next(): Promise<unknown> {
    while (this.taken >= this.records.length) {
      if (this.socket.readyState === WebSocket.CLOSED) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.records[this.taken++];
  }

  /** Forgets the records received so far: `next()` then waits for a new one. */
  skipReceived(): void {
    this.taken = this.records.length;
  }

  /** The next record that is not a ping. */
  async nextNonPing(): Promise<unknown> {
    for (;;) {
      const record = await this.next();
      if ((record as { type?: number } | undefined)?.type !== 6) return record;
    }
  }

  close(): void {
    this.socket.close();
  }

  private taken = 0;
}
