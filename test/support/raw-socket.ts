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
    this.closed = new Promise((resolve) => socket.on('close', (code) => {
      this.waiters.splice(0).forEach((wake) => wake());
      resolve({ code });
    }));
  }

  static async open(url: string): Promise<RawHubSocket> {
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    const raw = new RawHubSocket(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return raw;
  }

  /** Opens and completes a JSON handshake. */
  static async connect(url: string): Promise<RawHubSocket> {
    const raw = await RawHubSocket.open(url);
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

  /** The next record not yet taken; undefined once the socket has closed. */
  async next(): Promise<unknown> {
    while (this.taken >= this.records.length) {
      if (this.socket.readyState === WebSocket.CLOSED) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.records[this.taken++];
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
