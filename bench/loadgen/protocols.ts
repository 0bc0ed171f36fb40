// Protocol layer of the load generator. One `Protocol` per wire protocol; scenarios only use
// the `Conn` interface, so a new protocol (e.g. another SignalR encoding) is one class here
// plus an entry in PROTOCOLS.
//
// Hot paths avoid parsing: broadcast deliveries are counted by looking at a few bytes of each
// record; only connections with `sample = true` extract the send timestamp (`"t":` field of the
// payload) for latency. Echo replies are matched by position (one outstanding per connection).
import { request, Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { decode as mpDecode, encode as mpEncode } from '@msgpack/msgpack';
import { HOST, Latencies } from '../common.js';
import { createTransport, type Transport, type TransportKind } from './transport.js';

// ---------------------------------------------------------------------------------------
// Generator-wide counters (one generator process = one scenario)
// ---------------------------------------------------------------------------------------
export const G = {
  /** broadcast/group deliveries received by all connections */
  deliveries: 0,
  /** called after each delivery batch (publisher window) */
  onDeliver: null as null | (() => void),
  /** latency samples are only kept while recording */
  recording: false,
  lat: new Latencies(),
  errors: 0,
  lastError: '',
};

function fail(msg: string): void {
  G.errors++;
  G.lastError = msg;
}

/** WebSocket client implementation used by every protocol (see transport.ts). */
let transportKind: TransportKind = 'lean';
export function setTransport(kind: TransportKind): void {
  transportKind = kind;
}

/** Start a WebSocket; `onMessage` is attached before any data can arrive. */
function startWs(
  url: string,
  onMessage: (d: Buffer) => void,
  onClose?: (code: number) => void,
): { t: Transport; ready: Promise<void> } {
  return createTransport(transportKind, url, {
    onMessage,
    onClose,
    onError: (e) => fail(String(e)),
  });
}

const T_KEY = Buffer.from('"t":');

/** Find `"t":<number>` between s and e and record now - t. */
function sampleTs(buf: Buffer, s: number, e: number): void {
  const i = buf.indexOf(T_KEY, s);
  if (i < 0 || i >= e) return;
  let j = i + 4;
  while (j < e && buf[j] !== 0x2c && buf[j] !== 0x7d) j++;
  const t = Number(buf.toString('latin1', i + 4, j));
  if (G.recording) G.lat.add(performance.now() - t);
}

export interface ConnectOpts {
  port: number;
  path: string;
  /** SignalR: POST negotiate first */
  negotiate?: boolean;
}

export abstract class Conn {
  /** parse timestamps of broadcast deliveries for latency */
  sample = false;
  /** echo reply arrived (one outstanding per connection) */
  onReply: ((c: Conn) => void) | null = null;
  /** per-connection scratch for scenarios */
  sentAt = 0;
  /** the raw reply of the next echo goes here instead (correctness check) */
  protected verify: ((text: string) => void) | null = null;
  /** send a prepared payload (JSON text) as an echo invocation */
  abstract echo(payload: string): void;
  /** ask the server to broadcast payload to all clients (fire and forget) */
  abstract broadcast(payload: string): void;
  abstract sendToGroup(group: string, payload: string): void;
  /** resolves when the server has added this connection to the group */
  abstract joinGroup(group: string): Promise<void>;
  abstract close(): void;
  /** one echo, reply returned as JSON text of the echoed value (slow path, for checking) */
  echoRaw(payload: string): Promise<string> {
    return new Promise((resolve) => {
      this.verify = resolve;
      this.echo(payload);
    });
  }
}

export interface Protocol {
  id: string;
  /** description for the report */
  describe: string;
  connect(o: ConnectOpts): Promise<Conn>;
}

// =======================================================================================
// Plain JSON over raw ws (server: servers/ws.ts)
// =======================================================================================
class WsJsonConn extends Conn {
  private nextId = 1;
  private acks = new Map<number, () => void>();
  private ws: Transport;
  private ready: Promise<void>;
  constructor(url: string) {
    super();
    ({ t: this.ws, ready: this.ready } = startWs(url, (d) => this.onMessage(d)));
  }
  open(): Promise<void> {
    return this.ready;
  }
  private onMessage(buf: Buffer): void {
    // {"e":"b",...  byte 6 is the kind
    const k = buf[6];
    if (k === 0x62) {
      G.deliveries++;
      if (this.sample) sampleTs(buf, 0, buf.length);
      G.onDeliver?.();
    } else if (k === 0x72) {
      if (this.verify) {
        const v = this.verify;
        this.verify = null;
        v(JSON.stringify((JSON.parse(buf.toString()) as { d: unknown }).d));
      } else this.onReply?.(this);
    } else if (k === 0x61) {
      const m = JSON.parse(buf.toString()) as { id: number };
      const r = this.acks.get(m.id);
      this.acks.delete(m.id);
      r?.();
    } else fail(`ws-json: unexpected message ${buf.toString().slice(0, 80)}`);
  }
  echo(payload: string): void {
    this.ws.send(`{"op":"e","id":${this.nextId++},"d":${payload}}`);
  }
  broadcast(payload: string): void {
    this.ws.send(`{"op":"b","d":${payload}}`);
  }
  sendToGroup(group: string, payload: string): void {
    this.ws.send(`{"op":"g","g":${JSON.stringify(group)},"d":${payload}}`);
  }
  joinGroup(group: string): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.acks.set(id, resolve);
      this.ws.send(JSON.stringify({ op: 'j', id, g: group }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

const wsJson: Protocol = {
  id: 'ws-json',
  describe: 'plain JSON, one message per frame',
  async connect(o) {
    const c = new WsJsonConn(`ws://${HOST}:${o.port}/`);
    await c.open();
    return c;
  },
};

// =======================================================================================
// SignalR JSON hub protocol (records terminated by 0x1E, several per frame)
// =======================================================================================
const RS = 0x1e;
const HANDSHAKE_JSON = '{"protocol":"json","version":1}\x1e';
const PING_JSON = '{"type":6}\x1e';

/** Keep-alive like the JS client: a Ping after the handshake and every 15 s. */
const keepAlive = new Set<{ ping(): void }>();
setInterval(() => {
  for (const c of keepAlive) c.ping();
}, 15_000).unref();

async function negotiate(o: ConnectOpts, agent?: Agent): Promise<string> {
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host: HOST,
        port: o.port,
        method: 'POST',
        path: `${o.path}/negotiate?negotiateVersion=1`,
        headers: { 'Content-Length': '0', 'X-Requested-With': 'XMLHttpRequest' },
        agent: agent ?? negotiateAgent,
        timeout: 10_000,
      },
      (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (s += c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(s)
            : reject(new Error(`negotiate: HTTP ${res.statusCode} ${s.slice(0, 200)}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('negotiate: timeout')));
    req.on('error', reject);
    req.end();
  });
  const n = JSON.parse(body) as {
    connectionToken?: string;
    connectionId?: string;
    error?: string;
    negotiateVersion?: number;
  };
  if (n.error) throw new Error(`negotiate: ${n.error}`);
  const token = n.negotiateVersion ? n.connectionToken : n.connectionId;
  if (!token) throw new Error(`negotiate: no connection token in ${body.slice(0, 200)}`);
  return token;
}

/** Browsers reuse HTTP connections for negotiate; so do we (bounded by connect concurrency). */
export const negotiateAgent = new Agent({ keepAlive: true, maxSockets: 256 });

function signalrUrl(o: ConnectOpts, token: string | null): string {
  return `ws://${HOST}:${o.port}${o.path}${token ? `?id=${encodeURIComponent(token)}` : ''}`;
}

// Byte prefix `{"type":` written first by the .NET server and (presumably) by nest-signalr.
const TYPE_PREFIX = Buffer.from('{"type":');

/**
 * What both SignalR protocols share: the socket, the JSON handshake (always
 * text, whatever the hub protocol), pings and invocation ids.
 */
abstract class SignalRConn extends Conn {
  protected nextId = 0;
  protected handshaken = false;
  protected handshakeDone: ((err?: Error) => void) | null = null;
  protected ws: Transport;
  private ready: Promise<void>;
  constructor(
    url: string,
    private readonly handshakeRequest: string,
    private readonly pingFrame: string | Buffer,
  ) {
    super();
    ({ t: this.ws, ready: this.ready } = startWs(
      url,
      (d) => this.onMessage(d),
      (code) => {
        keepAlive.delete(this);
        this.handshakeDone?.(new Error(`SignalR handshake: socket closed (${code})`));
      },
    ));
  }
  protected abstract onMessage(buf: Buffer): void;
  async handshake(): Promise<void> {
    await this.ready;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('SignalR handshake: no response in 10 s')), 10_000);
      this.handshakeDone = (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      this.ws.send(this.handshakeRequest);
    });
  }
  ping(): void {
    if (this.ws.isOpen) this.ws.send(this.pingFrame);
  }
  close(): void {
    keepAlive.delete(this);
    this.ws.close();
  }
}

/** A Protocol entry for a SignalR connection class: optional negotiate, then the handshake. */
function signalrProtocol(id: string, describe: string, Connection: new (url: string) => SignalRConn): Protocol {
  return {
    id,
    describe,
    async connect(o) {
      const token = o.negotiate ? await negotiate(o) : null;
      const c = new Connection(signalrUrl(o, token));
      await c.handshake();
      return c;
    },
  };
}

class SignalRJsonConn extends SignalRConn {
  private rest: Buffer | null = null;
  private pending = new Map<string, (m: { error?: string; result?: unknown }) => void>();
  /** invocation id of the outstanding echo */
  private echoId = '';
  constructor(url: string) {
    super(url, HANDSHAKE_JSON, PING_JSON);
  }
  protected onMessage(buf: Buffer): void {
    if (this.rest) {
      buf = Buffer.concat([this.rest, buf]);
      this.rest = null;
    }
    const n = buf.length;
    let s = 0;
    while (s < n) {
      const e = buf.indexOf(RS, s);
      if (e < 0) {
        // A hub message must not be split across frames; tolerate it anyway.
        this.rest = Buffer.from(buf.subarray(s));
        fail('signalr-json: frame did not end with 0x1E');
        return;
      }
      if (!this.handshaken) this.onHandshake(buf.toString('utf8', s, e));
      else this.onRecord(buf, s, e);
      s = e + 1;
    }
  }
  private onHandshake(text: string): void {
    this.handshaken = true;
    const done = this.handshakeDone;
    this.handshakeDone = null;
    let m: { error?: string };
    try {
      m = JSON.parse(text) as { error?: string };
    } catch {
      done?.(new Error(`SignalR handshake: bad response ${text.slice(0, 200)}`));
      return;
    }
    if (m.error) {
      done?.(new Error(`SignalR handshake error: ${m.error}`));
      return;
    }
    keepAlive.add(this);
    this.ws.send(PING_JSON);
    done?.();
  }
  private onRecord(buf: Buffer, s: number, e: number): void {
    let type: number;
    if (buf.compare(TYPE_PREFIX, 0, 8, s, s + 8) === 0 && (buf[s + 9] === 0x2c || buf[s + 9] === 0x7d)) {
      type = buf[s + 8] - 0x30;
    } else {
      type = (JSON.parse(buf.toString('utf8', s, e)) as { type: number }).type;
    }
    if (type === 1) {
      // Invocation from the server: only `broadcast` in this bench.
      G.deliveries++;
      if (this.sample) sampleTs(buf, s, e);
      G.onDeliver?.();
    } else if (type === 3) {
      this.onCompletion(buf, s, e);
    } else if (type === 7) {
      fail(`signalr-json: server sent Close ${buf.toString('utf8', s, e).slice(0, 200)}`);
    } // 6 = Ping and unknown types: ignore
  }
  private onCompletion(buf: Buffer, s: number, e: number): void {
    if (this.pending.size === 0 && !this.verify) {
      // Fast path: the echo reply (one outstanding). Cheap error check.
      const i = buf.indexOf('"error"', s);
      if (i >= 0 && i < e) fail(`signalr-json: ${buf.toString('utf8', s, e).slice(0, 200)}`);
      this.onReply?.(this);
      return;
    }
    const m = JSON.parse(buf.toString('utf8', s, e)) as { invocationId: string; error?: string; result?: unknown };
    if (this.verify && m.invocationId === this.echoId) {
      const v = this.verify;
      this.verify = null;
      v(m.error !== undefined ? `ERROR: ${m.error}` : JSON.stringify(m.result));
      return;
    }
    const r = this.pending.get(m.invocationId);
    if (r) {
      this.pending.delete(m.invocationId);
      r(m);
    } else if (m.invocationId === this.echoId) {
      this.onReply?.(this);
    }
  }
  echo(payload: string): void {
    const id = String(this.nextId++);
    this.echoId = id;
    this.ws.send(`{"type":1,"invocationId":"${id}","target":"echo","arguments":[${payload}]}\x1e`);
  }
  broadcast(payload: string): void {
    // Non-blocking invocation (no invocationId): no completion, same as the other servers.
    this.ws.send(`{"type":1,"target":"broadcast","arguments":[${payload}]}\x1e`);
  }
  sendToGroup(group: string, payload: string): void {
    this.ws.send(`{"type":1,"target":"sendToGroup","arguments":[${JSON.stringify(group)},${payload}]}\x1e`);
  }
  joinGroup(group: string): Promise<void> {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m.error ? reject(new Error(`joinGroup: ${m.error}`)) : resolve()));
      this.ws.send(JSON.stringify({ type: 1, invocationId: id, target: 'joinGroup', arguments: [group] }) + '\x1e');
    });
  }
}

const signalrJson = signalrProtocol('signalr-json', 'SignalR JSON hub protocol (0x1E-framed records)', SignalRJsonConn);

// =======================================================================================
// SignalR MessagePack hub protocol (VarInt length-prefixed binary records).
// Handshake is still JSON text; after `{}\x1e` everything is binary.
// =======================================================================================
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

function mpFrame(msg: unknown[]): Buffer {
  const body = mpEncode(msg);
  return Buffer.concat([varint(body.length), body]);
}

const MP_PING = mpFrame([6]);

class SignalRMsgPackConn extends SignalRConn {
  private pending = new Map<string, (m: unknown[]) => void>();
  constructor(url: string) {
    super(url, '{"protocol":"messagepack","version":1}\x1e', MP_PING);
  }
  protected onMessage(buf: Buffer): void {
    let s = 0;
    if (!this.handshaken) {
      const e = buf.indexOf(RS);
      if (e < 0) return void this.handshakeDone?.(new Error('SignalR handshake: incomplete response'));
      this.handshaken = true;
      const m = JSON.parse(buf.toString('utf8', 0, e)) as { error?: string };
      const done = this.handshakeDone;
      this.handshakeDone = null;
      if (m.error) return void done?.(new Error(`SignalR handshake error: ${m.error}`));
      keepAlive.add(this);
      this.ws.send(MP_PING);
      done?.();
      s = e + 1;
    }
    const n = buf.length;
    while (s < n) {
      let len = 0;
      let shift = 0;
      let b: number;
      do {
        b = buf[s++];
        len |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80 && s < n);
      const e = s + len;
      if (e > n) return void fail('signalr-msgpack: incomplete record in frame');
      // body = fixarray header (0x9X) followed by the type as positive fixint
      const type = buf[s] >= 0x90 && buf[s] <= 0x9f ? buf[s + 1] : (mpDecode(buf.subarray(s, e)) as number[])[0];
      if (type === 1) {
        G.deliveries++;
        if (this.sample) {
          const m = mpDecode(buf.subarray(s, e)) as [number, unknown, unknown, string, Array<{ t: number }>];
          if (G.recording) G.lat.add(performance.now() - m[4][0].t);
        }
        G.onDeliver?.();
      } else if (type === 3) {
        if (this.pending.size === 0 && !this.verify) this.onReply?.(this);
        else {
          const m = mpDecode(buf.subarray(s, e)) as unknown[];
          if (this.verify) {
            const v = this.verify;
            this.verify = null;
            v(m[3] === 1 ? `ERROR: ${String(m[4])}` : JSON.stringify(m[4]));
          } else {
            const r = this.pending.get(m[2] as string);
            this.pending.delete(m[2] as string);
            r?.(m);
          }
        }
      } else if (type === 7) {
        fail(`signalr-msgpack: server sent Close ${JSON.stringify(mpDecode(buf.subarray(s, e)))}`);
      }
      s = e;
    }
  }
  echo(payload: string): void {
    // MessagePack payloads are objects; the generator prepares JSON text, so encode once per call.
    this.ws.send(mpFrame([1, {}, String(this.nextId++), 'echo', [JSON.parse(payload)]]));
  }
  broadcast(payload: string): void {
    this.ws.send(mpFrame([1, {}, null, 'broadcast', [JSON.parse(payload)]]));
  }
  sendToGroup(group: string, payload: string): void {
    this.ws.send(mpFrame([1, {}, null, 'sendToGroup', [group, JSON.parse(payload)]]));
  }
  joinGroup(group: string): Promise<void> {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(id, (m) => (m[3] === 1 ? reject(new Error(`joinGroup: ${String(m[4])}`)) : resolve()));
      this.ws.send(mpFrame([1, {}, id, 'joinGroup', [group]]));
    });
  }
}

const signalrMsgPack = signalrProtocol(
  'signalr-msgpack',
  'SignalR MessagePack hub protocol (VarInt-prefixed binary records)',
  SignalRMsgPackConn,
);

// =======================================================================================
// Socket.IO v5 protocol over Engine.IO v4, framing written by hand (one packet per frame):
//   server "0{...}" open -> client "40" -> server "40{"sid":..}" connected
//   "2" ping -> "3" pong; "42[...]" event; "42<id>[...]" event with ack; "43<id>[...]" ack
// =======================================================================================
class SocketIoRawConn extends Conn {
  private nextAck = 0;
  private acks = new Map<number, (text: string) => void>();
  private echoAck = -1;
  private connected: ((err?: Error) => void) | null = null;
  private ws: Transport;
  private opened: Promise<void>;
  constructor(url: string) {
    super();
    ({ t: this.ws, ready: this.opened } = startWs(
      url,
      (d) => this.onMessage(d),
      (code) => this.connected?.(new Error(`socket.io: socket closed (${code})`)),
    ));
  }
  ready(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket.io: no CONNECT in 10 s')), 10_000);
      this.connected = (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
    });
    p.catch(() => {}); // if the upgrade fails, `opened` reports it
    return this.opened.then(() => p);
  }
  private onMessage(buf: Buffer): void {
    const c0 = buf[0];
    if (c0 === 0x34 /* 4 message */) {
      const c1 = buf[1];
      if (c1 === 0x32 /* 2 EVENT */) {
        G.deliveries++;
        if (this.sample) sampleTs(buf, 0, buf.length);
        G.onDeliver?.();
      } else if (c1 === 0x33 /* 3 ACK */) {
        let i = 2;
        let id = 0;
        while (buf[i] >= 0x30 && buf[i] <= 0x39) id = id * 10 + (buf[i++] - 0x30);
        if (id === this.echoAck && !this.verify) {
          this.onReply?.(this);
        } else {
          const text = buf.toString('utf8', i);
          if (this.verify && id === this.echoAck) {
            const v = this.verify;
            this.verify = null;
            v(JSON.stringify((JSON.parse(text) as unknown[])[0]));
            return;
          }
          const r = this.acks.get(id);
          this.acks.delete(id);
          r?.(text);
        }
      } else if (c1 === 0x30 /* 0 CONNECT */) {
        const done = this.connected;
        this.connected = null;
        done?.();
      } else if (c1 === 0x34 /* 4 CONNECT_ERROR */) {
        const done = this.connected;
        this.connected = null;
        done?.(new Error(`socket.io CONNECT_ERROR ${buf.toString()}`));
      } else fail(`socket.io: unexpected packet ${buf.toString().slice(0, 80)}`);
    } else if (c0 === 0x32 /* 2 ping */) {
      this.ws.send('3');
    } else if (c0 === 0x30 /* 0 open */) {
      this.ws.send('40');
    } else if (c0 === 0x31 /* 1 close */) {
      fail('socket.io: server closed the session');
    }
  }
  echo(payload: string): void {
    const id = this.nextAck++;
    this.echoAck = id;
    this.ws.send(`42${id}["echo",${payload}]`);
  }
  broadcast(payload: string): void {
    this.ws.send(`42["broadcast",${payload}]`);
  }
  sendToGroup(group: string, payload: string): void {
    this.ws.send(`42["sendToGroup",${JSON.stringify(group)},${payload}]`);
  }
  joinGroup(group: string): Promise<void> {
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.acks.set(id, () => resolve());
      this.ws.send(`42${id}["joinGroup",${JSON.stringify(group)}]`);
    });
  }
  close(): void {
    this.ws.close();
  }
}

const socketIoRaw: Protocol = {
  id: 'socketio-raw',
  describe: 'Socket.IO v5 / Engine.IO v4 framing written by the generator',
  async connect(o) {
    const c = new SocketIoRawConn(`ws://${HOST}:${o.port}/socket.io/?EIO=4&transport=websocket`);
    await c.ready();
    return c;
  },
};

// =======================================================================================
// Socket.IO through the official client library (for comparison with the raw framing).
// =======================================================================================
type SioSocket = import('socket.io-client').Socket;
let ioFactory: typeof import('socket.io-client').io | null = null;

class SocketIoLibConn extends Conn {
  constructor(private s: SioSocket) {
    super();
    s.on('broadcast', (p: { t: number }) => {
      G.deliveries++;
      if (this.sample && G.recording) G.lat.add(performance.now() - p.t);
      G.onDeliver?.();
    });
  }
  echo(payload: string): void {
    this.s.emit('echo', JSON.parse(payload), (r: unknown) => {
      if (this.verify) {
        const v = this.verify;
        this.verify = null;
        v(JSON.stringify(r));
      } else this.onReply?.(this);
    });
  }
  broadcast(payload: string): void {
    this.s.emit('broadcast', JSON.parse(payload));
  }
  sendToGroup(group: string, payload: string): void {
    this.s.emit('sendToGroup', group, JSON.parse(payload));
  }
  joinGroup(group: string): Promise<void> {
    return new Promise((resolve) => this.s.emit('joinGroup', group, () => resolve()));
  }
  close(): void {
    this.s.disconnect();
  }
}

const socketIoLib: Protocol = {
  id: 'socketio-lib',
  describe: 'socket.io-client library, transports: [websocket]',
  async connect(o) {
    ioFactory ??= (await import('socket.io-client')).io;
    const s = ioFactory(`http://${HOST}:${o.port}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 10_000,
    });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', (e: Error) => reject(e));
    });
    return new SocketIoLibConn(s);
  },
};

export const PROTOCOLS: Record<string, Protocol> = {
  'ws-json': wsJson,
  'signalr-json': signalrJson,
  'signalr-msgpack': signalrMsgPack,
  'socketio-raw': socketIoRaw,
  'socketio-lib': socketIoLib,
};
