import { setTimeout as delay } from 'node:timers/promises';
import type { ApplicationConnection, ConnectionSetup } from '../connections/connection-application.js';
import type { ConnectionRequest } from '../connections/connection-request.js';
import type { HttpTransportType } from '../transports/http-transport-type.js';
import type { Transport } from '../transports/transport.js';
import { ConnectionContext } from './connection-context.js';
import { ConnectionInput } from './connection-input.js';

/** `send()` waits while the transport holds more than this, until it holds half (ASP.NET Core's pipe thresholds). */
const SEND_PAUSE_BYTES = 65_536;
const SEND_RESUME_BYTES = 32_768;
const DRAIN_POLL_MS = 5;

/** What a connection needs of its handler. */
export interface ConnectionOwnerHandler {
  readonly options: { readonly maximumPendingBytes: number };
  onConnectionClosed(connection: PlainConnection): void;
}

/** The connection layer's side of a plain connection: what its transport feeds, and what it sends. */
export class PlainConnection extends ConnectionContext implements ApplicationConnection {
  readonly connectionId: string;
  readonly request: ConnectionRequest;
  readonly user: unknown;
  readonly userIdentifier: string | undefined;
  readonly input: AsyncIterable<string | Buffer>;
  readonly receivesWholeMessages = true;
  private readonly messages: ConnectionInput;
  private readonly currentTransport: Transport;
  private ended = false;

  constructor(
    private readonly handler: ConnectionOwnerHandler,
    setup: ConnectionSetup,
  ) {
    super();
    this.connectionId = setup.connectionId;
    this.request = setup.request;
    this.user = setup.user;
    this.userIdentifier = setup.userIdentifier;
    this.currentTransport = setup.transport;
    this.input = this.messages = new ConnectionInput({
      pause: () => this.currentTransport.pause?.(),
      resume: () => this.currentTransport.resume?.(),
    });
  }

  get transport(): Transport {
    return this.currentTransport;
  }

  get transportType(): HttpTransportType {
    return this.currentTransport.type;
  }

  get closed(): boolean {
    return this.ended;
  }

  async send(data: string | Buffer): Promise<void> {
    if (this.ended) return;
    const binary = typeof data !== 'string';
    const bytes = binary ? data : Buffer.from(data);
    const transport = this.currentTransport;
    const waiting = transport.bufferedAmount;
    if (waiting > 0 && waiting + bytes.length > this.handler.options.maximumPendingBytes) {
      this.close(new Error(`More than ${this.handler.options.maximumPendingBytes} bytes were waiting to be sent.`));
      return;
    }
    transport.send(bytes, binary);
    if (transport.bufferedAmount >= SEND_PAUSE_BYTES) {
      while (!this.ended && transport.bufferedAmount > SEND_RESUME_BYTES) await delay(DRAIN_POLL_MS);
    }
  }

  close(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.messages.end();
    this.currentTransport.close(error !== undefined);
    this.handler.onConnectionClosed(this);
  }

  receive(data: Buffer, binary?: boolean): void {
    if (!this.ended) this.messages.push(binary ? data : data.toString('utf8'));
  }

  transportClosed(): void {
    if (this.ended) return;
    this.ended = true;
    this.messages.end();
    this.handler.onConnectionClosed(this);
  }

  /** Plain connections do not wait for a reconnect. */
  transportDropped(): boolean {
    this.transportClosed();
    return false;
  }

  transportFailed(error: Error): void {
    this.close(error);
  }
}
