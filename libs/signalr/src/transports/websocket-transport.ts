import type { RawData, WebSocket } from 'ws';
import { HttpTransportType } from './http-transport-type.js';
import { NORMAL_CLOSURE } from './normal-closing-websocket.js';
import type { Transport, TransportReceiver } from './transport.js';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;
/** What `ws` reports for a socket that closed without a Close frame from the peer. */
const ABNORMAL_CLOSURE = 1006;
const INTERNAL_ERROR = 1011;

export class WebSocketTransport implements Transport {
  readonly type = HttpTransportType.WebSockets;
  readonly supportsBinary = true;
  readonly inherentKeepAlive = false;
  private release?: () => void;
  private failed = false;
  private dropped = false;

  constructor(private readonly socket: WebSocket) {}

  /**
   * Starts delivering the socket's data to `receiver`. `release` is called
   * once the socket has closed, or, if its connection waited for a stateful
   * reconnect, once that connection ends without one.
   */
  start(receiver: TransportReceiver, release: () => void): void {
    const socket = this.socket;
    this.release = release;
    socket.on('message', (data: RawData, binary: boolean) => receiver.receive(toBuffer(data), binary));
    socket.once('close', (code: number) => this.onClose(receiver, code));
    socket.on('error', (error) => {
      // Bad frames from the client: not a network drop.
      this.failed = true;
      receiver.transportClosed(error);
    });
  }

  get receiving(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** A WebSocket that dropped (or is closing) may be replaced by a stateful reconnect. */
  get joinable(): boolean {
    return this.dropped || this.socket.readyState === this.socket.CLOSING;
  }

  async whenReplaceable(): Promise<boolean> {
    // The client came back before the server handled its old socket's close.
    if (!this.dropped && this.socket.readyState === this.socket.CLOSING) {
      await new Promise((resolve) => this.socket.once('close', resolve));
    }
    return this.dropped;
  }

  private onClose(receiver: TransportReceiver, code: number): void {
    if (code === ABNORMAL_CLOSURE && !this.failed && receiver.transportDropped()) {
      this.dropped = true;
      return;
    }
    receiver.transportClosed();
    this.release?.();
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(data: Buffer, binary: boolean): void {
    if (this.socket.readyState === this.socket.OPEN) {
      this.socket.send(data, binary ? BINARY : TEXT);
    }
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(error?: boolean): void {
    if (this.dropped) {
      // The connection ended while it waited for a reconnect: the token goes.
      this.dropped = false;
      this.release?.();
    } else if (this.socket.readyState <= this.socket.OPEN) {
      this.socket.close(error ? INTERNAL_ERROR : NORMAL_CLOSURE);
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
