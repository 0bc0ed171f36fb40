import type { RawData, WebSocket } from 'ws';
import { HttpTransportType } from './http-transport-type.js';
import type { Transport, TransportReceiver } from './transport.js';

const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;
const NORMAL_CLOSURE = 1000;
const INTERNAL_ERROR = 1011;

export class WebSocketTransport implements Transport {
  readonly type = HttpTransportType.WebSockets;
  readonly supportsBinary = true;

  constructor(private readonly socket: WebSocket) {}

  /** Starts delivering the socket's data to `receiver`. */
  attach(receiver: TransportReceiver): void {
    const socket = this.socket;
    socket.on('message', (data: RawData) => receiver.receive(toBuffer(data)));
    socket.once('close', () => receiver.transportClosed());
    socket.on('error', (error) => receiver.transportClosed(error));
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
    if (this.socket.readyState <= this.socket.OPEN) {
      this.socket.close(error ? INTERNAL_ERROR : NORMAL_CLOSURE);
    }
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
