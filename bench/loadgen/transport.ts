// WebSocket client transports for the generator.
//
//  - 'ws'   : the `ws` package client (permessage-deflate off, UTF-8 validation off,
//             all-zero masking key so ws skips the XOR).
//  - 'lean' : a minimal RFC 6455 client on node:net — HTTP upgrade by hand, frames parsed
//             straight from the socket's 'data' chunks (no stream plumbing, no per-frame
//             copies), all-zero masking key. Same bytes on the wire as 'ws'.
//
// Both deliver each complete message as a Buffer (zero-copy view where possible).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';

export interface Transport {
  /** send a text (string) or binary (Buffer) message */
  send(data: string | Buffer): void;
  close(): void;
  readonly isOpen: boolean;
}

export interface TransportHandlers {
  onMessage(data: Buffer): void;
  onClose?(code: number): void;
  onError?(err: Error): void;
}

export type TransportKind = 'ws' | 'lean';

/**
 * Starts opening a transport. The handlers are attached before any data can arrive, and the
 * Transport object is usable from inside them (a server may send its first message in the
 * same TCP segment as the 101 response, as Engine.IO does). `ready` settles after the upgrade.
 */
export function createTransport(
  kind: TransportKind,
  url: string,
  h: TransportHandlers,
): { t: Transport; ready: Promise<void> } {
  return kind === 'lean' ? LeanWs.create(url, h) : createWsPackage(url, h);
}

// =======================================================================================
// `ws` package
// =======================================================================================
const zeroMask = (mask: Buffer): void => {
  mask[0] = mask[1] = mask[2] = mask[3] = 0;
};

const WS_CLIENT_OPTS: WebSocket.ClientOptions = {
  perMessageDeflate: false,
  skipUTF8Validation: true,
  generateMask: zeroMask,
  handshakeTimeout: 10_000,
};

function createWsPackage(url: string, h: TransportHandlers): { t: Transport; ready: Promise<void> } {
  const ws = new WebSocket(url, WS_CLIENT_OPTS);
  ws.on('message', (d: Buffer) => h.onMessage(d));
  const t: Transport = {
    send: (d) => ws.send(d),
    close: () => ws.close(),
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
  };
  const ready = new Promise<void>((resolve, reject) => {
    let opened = false;
    ws.on('close', (code) => {
      if (opened) h.onClose?.(code);
      else reject(new Error(`WebSocket closed before open (${code})`));
    });
    ws.on('error', (e) => {
      if (opened) h.onError?.(e);
      else reject(e);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('open', () => {
      opened = true;
      resolve();
    });
  });
  return { t, ready };
}

// =======================================================================================
// lean client
// =======================================================================================
const EMPTY = Buffer.alloc(0);
const CLOSE_FRAME = Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]); // close 1000, zero mask

class LeanWs implements Transport {
  private pending: Buffer = EMPTY;
  /** fragmented message being assembled */
  private frags: Buffer[] | null = null;
  private state: 'upgrading' | 'open' | 'closing' | 'closed' = 'upgrading';
  private constructor(
    private sock: Socket,
    private h: TransportHandlers,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  static create(url: string, h: TransportHandlers): { t: Transport; ready: Promise<void> } {
    const u = new URL(url);
    const port = Number(u.port || 80);
    const sock = connect({ host: u.hostname, port, noDelay: true });
    const t = new LeanWs(sock, h);
    const key = randomBytes(16).toString('base64');
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('WebSocket upgrade: timeout'));
        sock.destroy();
      }, 10_000);
      let head = '';
      const onHead = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > 16_384) sock.destroy(new Error('WebSocket upgrade: response head too large'));
          return;
        }
        clearTimeout(timer);
        sock.off('data', onHead);
        const status = /^HTTP\/1\.1 (\d+)/.exec(head);
        if (!status || status[1] !== '101') {
          reject(new Error(`WebSocket upgrade refused: ${head.split('\r\n')[0]}`));
          sock.destroy();
          return;
        }
        t.state = 'open';
        sock.on('data', (c: Buffer) => t.onData(c));
        resolve();
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length) t.onData(rest);
      };
      sock.on('data', onHead);
      sock.on('error', (e) => {
        clearTimeout(timer);
        if (t.state === 'upgrading') reject(e);
        else h.onError?.(e);
      });
      sock.on('close', () => {
        clearTimeout(timer);
        const was = t.state;
        t.state = 'closed';
        if (was === 'upgrading') reject(new Error('WebSocket upgrade: connection closed'));
        else h.onClose?.(1006);
      });
      sock.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    return { t, ready };
  }

  private onData(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending.length) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = EMPTY;
    }
    const n = buf.length;
    let p = 0;
    while (n - p >= 2) {
      const b0 = buf[p];
      const b1 = buf[p + 1];
      let len = b1 & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (n - p < 4) break;
        len = buf.readUInt16BE(p + 2);
        hdr = 4;
      } else if (len === 127) {
        if (n - p < 10) break;
        len = buf.readUInt32BE(p + 2) * 2 ** 32 + buf.readUInt32BE(p + 6);
        hdr = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) hdr += 4;
      if (n - p < hdr + len) break;
      const s = p + hdr;
      const e = s + len;
      let data = buf.subarray(s, e);
      if (masked) {
        // servers must not mask; unmask a copy anyway
        data = Buffer.from(data);
        for (let i = 0; i < len; i++) data[i] ^= buf[p + hdr - 4 + (i & 3)];
      }
      p = e;
      this.onFrame(b0, data);
    }
    if (p < n) this.pending = Buffer.from(buf.subarray(p)); // copy: don't pin the big chunk
  }

  private onFrame(b0: number, data: Buffer): void {
    const fin = (b0 & 0x80) !== 0;
    const op = b0 & 0x0f;
    if (op === 1 || op === 2) {
      if (fin) this.h.onMessage(data);
      else this.frags = [Buffer.from(data)];
    } else if (op === 0) {
      if (!this.frags) return;
      this.frags.push(Buffer.from(data));
      if (fin) {
        const whole = Buffer.concat(this.frags);
        this.frags = null;
        this.h.onMessage(whole);
      }
    } else if (op === 8) {
      // close: answer (if we did not start it), then end the TCP connection
      if (this.state === 'open') this.sock.write(CLOSE_FRAME);
      this.state = 'closing';
      this.sock.end();
    } else if (op === 9) {
      this.writeFrame(0x8a, data);
    } // 10 = pong: ignore
  }

  private writeFrame(b0: number, payload: Buffer): void {
    const [f, hdr] = allocFrame(b0, payload.length);
    payload.copy(f, hdr);
    this.sock.write(f);
  }

  send(data: string | Buffer): void {
    if (this.state !== 'open') return;
    if (typeof data !== 'string') return this.writeFrame(0x82, data);
    // Text is encoded straight into the frame: no intermediate Buffer.
    const [f, hdr] = allocFrame(0x81, Buffer.byteLength(data));
    f.write(data, hdr, 'utf8');
    this.sock.write(f);
  }

  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    // Close frame, then wait for the server's close frame and its FIN (server closes TCP first).
    this.sock.write(CLOSE_FRAME);
    const t = setTimeout(() => this.sock.destroy(), 5000);
    t.unref();
    this.sock.once('close', () => clearTimeout(t));
  }
}

/** A masked client frame of `len` payload bytes with its header written; returns it and the header size. */
function allocFrame(b0: number, len: number): [Buffer, number] {
  const hdr = len < 126 ? 6 : len < 65536 ? 8 : 14;
  const f = Buffer.allocUnsafe(hdr + len);
  f[0] = b0;
  if (len < 126) f[1] = 0x80 | len;
  else if (len < 65536) {
    f[1] = 0x80 | 126;
    f.writeUInt16BE(len, 2);
  } else {
    f[1] = 0x80 | 127;
    f.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    f.writeUInt32BE(len >>> 0, 6);
  }
  f.writeUInt32BE(0, hdr - 4); // zero masking key: the payload goes out as is
  return [f, hdr];
}
