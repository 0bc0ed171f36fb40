import type { ConnectionRequest } from '../connections/connection-request.js';
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import type { LifetimeConnection } from '../lifetime/lifetime-connection.js';
import { HandshakeProtocol, HandshakeTooLargeError } from '../protocol/handshake-protocol.js';
import { type CloseMessage, type HubMessage, MessageType } from '../protocol/hub-message.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import { HubProtocolError } from '../protocol/hub-protocol-error.js';
import type { SerializedHubMessage } from '../protocol/serialized-hub-message.js';
import { TransferFormat } from '../protocol/transfer-format.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import type { ConnectionEndStatus } from '../diagnostics/telemetry-names.js';
import type { Transport, TransportReceiver } from '../transports/transport.js';
import { type Flushable, scheduleFlush } from '../transports/write-coalescer.js';
import type { WriteFlow } from './async-iterable-observable.js';
import type { GroupManager } from './group-manager.js';
import { HubCallerClients } from './hub-caller-clients.js';
import { HubCallerContext } from './hub-caller-context.js';
import type { HubConnectionHandler } from './hub-connection-handler.js';
import type { HubInvocationContext } from './hub-invocation-context.js';
import { isTrackable, MessageBuffer } from './message-buffer.js';
import type { ServerStream } from './server-stream.js';
import type { StreamTracker } from './stream-tracker.js';
import type { ReceiveFlow } from './upload-channel.js';

export enum ConnectionState {
  Handshaking,
  /** Handshake done, lifecycle hooks running: input waits. */
  Connecting,
  Connected,
  /**
   * Stateful reconnect: the transport dropped, the connection waits up to
   * `disconnectTimeout` for the client's new one. Output goes to the buffer.
   */
  Reconnecting,
  Disconnected,
}

/** Coalesced output is cut into units of about this size (ASP.NET Core's pipe buffer size). */
const MAX_UNIT_BYTES = 65_536;
/** A handshake is some 35 bytes: even without a message size limit, it may not be longer than this. */
const MAX_HANDSHAKE_BYTES = 65_536;
/** What a transport adds to a unit: a WebSocket frame header, SSE's `data: ` and blank line. */
const MAX_UNIT_FRAMING = 10;
/** Server streams let the event loop send what they queued once this much is pending. */
const STREAM_YIELD_BYTES = 16_384;
/** Server streams wait while the transport holds more than this, until it holds half (ASP.NET Core's pipe thresholds). */
const STREAM_PAUSE_BYTES = 65_536;
const STREAM_RESUME_BYTES = 32_768;
/** How often a waiting stream looks at the transport again. */
const DRAIN_POLL_MS = 5;
/** Stateful reconnect: the server acknowledges the client's messages at most this often (as ASP.NET Core). */
const ACK_INTERVAL_MS = 1_000;

/** What the HTTP side knows of a new connection: all of it is given at construction. */
export interface HubConnectionSetup {
  readonly connectionId: string;
  readonly transport: Transport;
  /** The transport request that opened the connection (`ctx.request`). */
  readonly request: ConnectionRequest;
  /** The authenticated principal, if any. */
  readonly user: unknown;
  readonly userIdentifier: string | undefined;
  /** When the authentication of the connection expires (ms since the epoch), if it does. */
  readonly authenticationExpiresAt?: number;
  /** Negotiate agreed to stateful reconnect: a handshake of version 2 turns it on. */
  readonly statefulReconnectAllowed?: boolean;
}

const PING_MESSAGE: HubMessage = { type: MessageType.Ping };
const CLOSE_MESSAGE: CloseMessage = { type: MessageType.Close };
const RECONNECT_CLOSE_MESSAGE: CloseMessage = { type: MessageType.Close, allowReconnect: true };

/**
 * The state of one connection to a hub (ASP.NET Core's HubConnectionContext):
 * its transport, protocol and user, input framing, coalesced output, and
 * timers. It is also the "client" object Nest hands to gateway hooks and
 * handlers (`@ConnectedSocket()`), and the `HubCallerContext` hub methods see.
 */
export class HubConnectionContext
  extends HubCallerContext
  implements TransportReceiver, Flushable, ReceiveFlow, WriteFlow, LifetimeConnection
{
  state = ConnectionState.Handshaking;
  protocol?: HubProtocol;
  readonly connectionId: string;
  /** The transport request that opened the connection. */
  readonly request: ConnectionRequest;
  readonly user: unknown;
  readonly userIdentifier: string | undefined;
  /** Nest's bound message handlers of this connection, in the hub's method-table order. */
  handlers?: readonly { callback: (...args: unknown[]) => unknown }[];
  /** Nest's disconnect callback (drives `handleDisconnect`). */
  onNestDisconnect?: (reason?: unknown) => void;
  /** Groups this connection belongs to, kept by the lifetime manager. */
  groupNames?: Set<string>;
  /** Non-streaming invocations running now, and those waiting for a slot. */
  activeInvocations = 0;
  /** The invocation holding the only slot (maximumParallelInvocationsPerClient 1). */
  slotOwner?: HubInvocationContext;
  waitingInvocations?: (() => void)[];
  /** When the authentication of the connection expires (ms since the epoch), if it does. */
  private authenticationExpiresAt?: number;
  /** Server-to-client streams running now, by invocation id. */
  serverStreams?: Map<string, ServerStream>;
  /** Upload streams (client to server) open now. */
  uploadStreams?: StreamTracker;
  /** Negotiate agreed to stateful reconnect: a handshake of version 2 turns it on. */
  private readonly statefulReconnectAllowed: boolean;
  /** Stateful reconnect's numbering and replay buffer; only when it is on. */
  messageBuffer?: MessageBuffer;
  /** When the transport started (`performance.now()`), and why the connection ended: for its duration metric. */
  readonly openedAt = performance.now();
  endStatus: ConnectionEndStatus = 'normal_closure';

  private binary = false;
  private pending?: Buffer | Buffer[];
  private pendingBytes = 0;
  private partial?: Buffer;
  private lastReceiveAt: number;
  private lastWriteAt: number;
  private clientTimeoutArmed = false;
  private readonly startedAt: number;
  private closeError?: Error;
  private onMessage?: (message: HubMessage) => boolean;
  private itemsMap?: Map<unknown, unknown>;
  private callerClients?: HubCallerClients;
  /** A full upload stream stopped the input; it waits in `partial` and in the transport. */
  private receivePaused = false;
  private roomForOutput?: Promise<void>;
  /** Stateful reconnect: when the transport dropped, and when the last Ack went out. */
  private reconnectingSince = 0;
  private lastAckAt = 0;
  private currentTransport: Transport;

  constructor(
    readonly handler: HubConnectionHandler,
    setup: HubConnectionSetup,
  ) {
    super();
    this.connectionId = setup.connectionId;
    this.currentTransport = setup.transport;
    this.request = setup.request;
    this.user = setup.user;
    this.userIdentifier = setup.userIdentifier;
    this.authenticationExpiresAt = setup.authenticationExpiresAt;
    this.statefulReconnectAllowed = setup.statefulReconnectAllowed ?? false;
    this.startedAt = this.lastReceiveAt = this.lastWriteAt = handler.heartbeat.now;
  }

  /** The transport now; a stateful reconnect replaces it. */
  get transport(): Transport {
    return this.currentTransport;
  }

  get transportType(): HttpTransportType {
    return this.currentTransport.type;
  }

  /** Bytes received and not parsed yet: an incomplete message, or input held back by a full upload stream. */
  get inputBacklog(): number {
    return this.partial?.length ?? 0;
  }

  get items(): Map<unknown, unknown> {
    return (this.itemsMap ??= new Map());
  }

  get clients(): HubCallerClients {
    const { lifetimeManager, options } = this.handler;
    return (this.callerClients ??= new HubCallerClients(
      lifetimeManager,
      this.connectionId,
      options.clientResultTimeout,
      () => this.handler.dispatcher.releaseSlotEarly(this),
      options.clientMethodNames,
    ));
  }

  get groups(): GroupManager {
    return this.handler.groups;
  }

  /** Closes the connection gracefully from the server side. */
  abort(): void {
    this.close(CLOSE_MESSAGE);
  }

  // ---- input --------------------------------------------------------------

  receive(data: Buffer): void {
    if (this.state >= ConnectionState.Reconnecting) return;
    this.lastReceiveAt = this.handler.heartbeat.now;
    let input = this.partial ? Buffer.concat([this.partial, data]) : data;
    this.partial = undefined;
    const maxSize = this.handler.options.maximumReceiveMessageSize;
    if (this.receivePaused) {
      // What the transport delivered before it paused waits with the rest; a
      // transport that cannot pause gets a bound instead.
      if (!this.transport.pause && input.length > Math.max(maxSize, MAX_UNIT_BYTES) * 4) {
        this.closeWithError(new HubProtocolError('Too much data received while the connection could take no more.'));
        return;
      }
      this.partial = input;
      return;
    }
    try {
      if (this.state === ConnectionState.Handshaking) {
        const consumed = this.receiveHandshake(input, Math.min(maxSize, MAX_HANDSHAKE_BYTES));
        if (consumed === 0) {
          // The handshake may come in pieces (frames, POSTs); wait for the rest.
          if (this.state === ConnectionState.Handshaking && input.length > 0) this.partial = input;
          return;
        }
        if ((this.state as ConnectionState) !== ConnectionState.Connecting) return;
        input = input.subarray(consumed);
      }
      if (this.state === ConnectionState.Connecting) {
        // Lifecycle hooks are running; keep the input for later, within bounds.
        if (input.length > Math.max(maxSize, MAX_UNIT_BYTES) * 4) {
          throw new HubProtocolError('Too much data received before the connection was established.');
        }
        if (input.length > 0) this.partial = input;
        return;
      }
      const consumed = this.protocol!.parseMessages(input, maxSize, this.onMessage!);
      if (consumed < input.length && this.state === ConnectionState.Connected) {
        this.partial = input.subarray(consumed);
      }
    } catch (error) {
      this.closeWithError(error as Error);
    }
  }

  /** Called once the hub's connect hooks have run: processes the input that waited. */
  startReceiving(): void {
    if (this.state !== ConnectionState.Connecting) return;
    this.state = ConnectionState.Connected;
    const waiting = this.partial;
    this.partial = undefined;
    if (waiting) this.receive(waiting);
  }

  private receiveHandshake(input: Buffer, maxSize: number): number {
    let parsed;
    try {
      parsed = HandshakeProtocol.parseRequest(input, maxSize);
    } catch (error) {
      const message =
        error instanceof HandshakeTooLargeError
          ? 'Handshake was canceled.'
          : this.handler.describeError('An unexpected error occurred during connection handshake.', error);
      this.failHandshake(message);
      return 0;
    }
    if (!parsed.request) return 0;
    const { protocol, error } = this.handler.selectProtocol(parsed.request, this.transport);
    if (!protocol) {
      this.failHandshake(error);
      return 0;
    }
    this.protocol = protocol;
    this.binary = protocol.transferFormat === TransferFormat.Binary;
    // Version 2 of the hub protocol turns on stateful reconnect, if negotiated (ASP.NET Core).
    if (this.statefulReconnectAllowed && parsed.request.version >= 2) {
      const buffer = (this.messageBuffer = new MessageBuffer(this.handler.options.statefulReconnectBufferSize));
      this.lastAckAt = this.handler.heartbeat.now;
      // Repeats after a reconnect, and anything before the client's Sequence, are skipped.
      this.onMessage = (message) => !buffer.shouldProcess(message) || this.dispatch(message);
    } else {
      this.onMessage = (message) => this.dispatch(message);
    }
    this.state = ConnectionState.Connecting;
    this.write(HandshakeProtocol.writeResponse());
    void this.handler.onHandshakeCompleted(this); // it reports its own failures
    return parsed.consumed;
  }

  /** Routes one parsed message; false stops the parser (a full upload stream). */
  private dispatch(message: HubMessage): boolean {
    if (this.handler.onMessage(this, message) !== false) return true;
    this.pauseReceiving();
    return false; // the parser stops; the rest of the input waits in `partial`
  }

  private failHandshake(error: string): void {
    this.write(HandshakeProtocol.writeResponse(error));
    this.closeError = new Error(error);
    this.flush();
    this.state = ConnectionState.Disconnected;
    this.transport.close();
  }

  private pauseReceiving(): void {
    this.receivePaused = true;
    this.transport.pause?.();
  }

  /** An upload stream has room again: parse what waited, then read the transport again. */
  resumeReceiving(): void {
    if (!this.receivePaused) return;
    this.receivePaused = false;
    // Not inside the hub method's read: the backlog is parsed right after it.
    queueMicrotask(() => this.receiveBacklog());
  }

  private receiveBacklog(): void {
    if (this.receivePaused || this.state !== ConnectionState.Connected) return;
    const backlog = this.partial;
    this.partial = undefined;
    if (backlog) this.receive(backlog);
    if (!this.receivePaused) this.transport.resume?.();
  }

  /** A ping from the client turns on the client timeout, as in ASP.NET Core. */
  onPing(): void {
    this.clientTimeoutArmed = true;
  }

  // ---- output -------------------------------------------------------------

  writeMessage(message: HubMessage): void {
    const protocol = this.protocol;
    if (protocol === undefined) return;
    this.handler.statistics.messagesSent++;
    if (this.messageBuffer !== undefined && isTrackable(message.type))
      this.writeTracked(protocol.writeMessage(message));
    else this.write(protocol.writeMessage(message));
  }

  /**
   * Writes a message shared by many connections, serialized once per
   * protocol. Such messages are invocations (sends to clients): trackable.
   */
  writeSerialized(message: SerializedHubMessage): void {
    const protocol = this.protocol;
    if (protocol === undefined) return;
    this.handler.statistics.messagesSent++;
    if (this.messageBuffer !== undefined) this.writeTracked(message.getBytes(protocol));
    else this.write(message.getBytes(protocol));
  }

  /**
   * Stateful reconnect: a trackable message is kept until the client
   * acknowledges it, and only kept while the transport is down. A buffer
   * that overflows ends the connection (ASP.NET Core makes the sender wait).
   */
  private writeTracked(bytes: Buffer): void {
    if (this.state === ConnectionState.Disconnected) return;
    if (!this.messageBuffer!.add(bytes)) {
      const limit = this.handler.options.statefulReconnectBufferSize;
      this.closeWithError(new Error(`More than ${limit} bytes were waiting for the client to acknowledge them.`));
      return;
    }
    if (this.state !== ConnectionState.Reconnecting) this.write(bytes);
  }

  /** Queues framed bytes; they leave in one transport unit at the end of this turn. */
  write(bytes: Buffer): void {
    if (this.state >= ConnectionState.Reconnecting) return;
    if (this.exceedsPendingLimit(bytes.length)) {
      this.dropSlowConsumer();
      return;
    }
    this.enqueue(bytes);
  }

  /** Bytes waiting for this client: queued here, and held by the transport. */
  get pendingOutgoingBytes(): number {
    return this.pendingBytes + this.transport.bufferedAmount;
  }

  /**
   * Whether queuing `incoming` more bytes would leave more than
   * `maximumPendingBytes` waiting for the client, framing included. A lone
   * message is let through whatever its size.
   */
  private exceedsPendingLimit(incoming: number): boolean {
    const waiting = this.pendingBytes + this.transport.bufferedAmount;
    return waiting > 0 && waiting + incoming + MAX_UNIT_FRAMING > this.handler.options.maximumPendingBytes;
  }

  /**
   * The client reads slower than it is written to: forget what is queued for
   * it and close it with an error, so that it costs no more memory and holds
   * no other client back. The Close goes after what the transport holds.
   */
  private dropSlowConsumer(): void {
    this.handler.statistics.slowConsumerDrops++;
    this.pending = undefined;
    this.pendingBytes = 0;
    const limit = this.handler.options.maximumPendingBytes;
    this.closeWithError(new Error(`More than ${limit} bytes were waiting to be sent to the client.`));
  }

  private enqueue(bytes: Buffer): void {
    const pending = this.pending;
    if (pending === undefined) {
      this.pending = bytes;
      scheduleFlush(this);
    } else if (Array.isArray(pending)) {
      pending.push(bytes);
    } else {
      this.pending = [pending, bytes];
    }
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= MAX_UNIT_BYTES) this.flush();
  }

  flush(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    this.pendingBytes = 0;
    this.lastWriteAt = this.handler.heartbeat.now;
    this.transport.send(Array.isArray(pending) ? Buffer.concat(pending) : pending, this.binary);
  }

  /**
   * Undefined while the output has room for more stream items; otherwise a
   * promise that resolves once it has: after this turn's output went out,
   * and, if the transport holds STREAM_PAUSE_BYTES, once it is down to
   * STREAM_RESUME_BYTES. With stateful reconnect, also once the client has
   * acknowledged enough that the replay buffer is at most half full. Streams
   * share one wait per connection.
   */
  whenWritable(): Promise<void> | undefined {
    if (this.roomForOutput) return this.roomForOutput;
    if (
      this.pendingBytes < STREAM_YIELD_BYTES &&
      this.transport.bufferedAmount < STREAM_PAUSE_BYTES &&
      (this.messageBuffer === undefined || this.messageBuffer.bufferedBytes <= this.messageBuffer.limit / 2)
    ) {
      return undefined;
    }
    return (this.roomForOutput = this.waitForRoom());
  }

  private async waitForRoom(): Promise<void> {
    await nextTurn();
    // Acknowledgements free the replay buffer (none come while the transport is down).
    for (let room; (room = this.messageBuffer?.whenRoom()) && this.state !== ConnectionState.Disconnected;) {
      await room;
    }
    if (this.transport.bufferedAmount >= STREAM_PAUSE_BYTES) {
      while (this.state < ConnectionState.Reconnecting && this.transport.bufferedAmount > STREAM_RESUME_BYTES) {
        await delay(DRAIN_POLL_MS);
      }
    }
    this.roomForOutput = undefined;
  }

  // ---- timers -------------------------------------------------------------

  onHeartbeat(now: number): void {
    const options = this.handler.options;
    if (this.state === ConnectionState.Handshaking) {
      if (now - this.startedAt >= options.handshakeTimeout) this.failHandshake('Handshake was canceled.');
      return;
    }
    if (this.state === ConnectionState.Reconnecting) {
      // The client did not come back in time: the connection really ends.
      if (now - this.reconnectingSince >= options.disconnectTimeout) {
        this.endStatus = 'timeout';
        this.close(CLOSE_MESSAGE);
      }
      return;
    }
    if (this.state !== ConnectionState.Connected) return;
    if (
      this.authenticationExpiresAt !== undefined &&
      now >= this.authenticationExpiresAt &&
      options.closeOnAuthenticationExpiration
    ) {
      // No error: the client may reconnect with a fresh token.
      this.close(RECONNECT_CLOSE_MESSAGE);
      return;
    }
    if (this.receivePaused) {
      // The client's messages wait behind a full upload stream: not its fault.
      this.lastReceiveAt = now;
    } else if (this.clientTimeoutArmed && now - this.lastReceiveAt >= options.clientTimeoutInterval) {
      const timeout = new Error("Client hasn't sent a message/ping within the configured ClientTimeoutInterval.");
      timeout.name = 'OperationCanceledException';
      this.closeWithError(timeout);
      return;
    }
    // Any write resets the client's server timeout.
    if (!this.transport.inherentKeepAlive && now - this.lastWriteAt >= options.keepAliveInterval) {
      this.writeMessage(PING_MESSAGE);
    }
    if (this.messageBuffer !== undefined && now - this.lastAckAt >= ACK_INTERVAL_MS) this.acknowledge(now);
  }

  /** Stateful reconnect: tells the client which of its messages were processed, if any since the last Ack. */
  private acknowledge(now: number): void {
    const sequenceId = this.messageBuffer!.takeAck();
    if (sequenceId === undefined) return;
    this.lastAckAt = now;
    this.write(this.protocol!.writeMessage({ type: MessageType.Ack, sequenceId }));
  }

  // ---- stateful reconnect -------------------------------------------------

  /**
   * The transport dropped without a close handshake (the network went
   * away). With stateful reconnect on, the connection waits for the client's
   * new transport and returns true; otherwise it ends.
   */
  transportDropped(): boolean {
    if (this.messageBuffer === undefined || this.state !== ConnectionState.Connected) {
      this.transportClosed();
      return false;
    }
    this.state = ConnectionState.Reconnecting;
    this.reconnectingSince = this.handler.heartbeat.now;
    // Trackable output waits in the buffer; pings and acks need not survive.
    // Input not parsed yet was not acknowledged: the client sends it again.
    this.pending = undefined;
    this.pendingBytes = 0;
    this.partial = undefined;
    return true;
  }

  /**
   * Stateful reconnect: the client's new transport takes over. It gets a
   * Sequence, then every message the client has not acknowledged; the
   * client's messages count from its own Sequence on.
   */
  reconnect(transport: Transport, authenticationExpiresAt: number | undefined): void {
    const buffer = this.messageBuffer!;
    this.currentTransport = transport;
    this.authenticationExpiresAt = authenticationExpiresAt;
    this.state = ConnectionState.Connected;
    this.lastReceiveAt = this.lastWriteAt = this.handler.heartbeat.now;
    this.enqueue(this.protocol!.writeMessage({ type: MessageType.Sequence, sequenceId: buffer.reconnected() }));
    buffer.forEachUnacknowledged((message) => this.enqueue(message));
    if (this.receivePaused) transport.pause?.();
  }

  // ---- closing ------------------------------------------------------------

  /** The client sent Close: answer with an empty Close, then end the transport. */
  onClientClose(message: CloseMessage): void {
    if (message.error) this.closeError = new Error(message.error);
    this.close(CLOSE_MESSAGE);
  }

  /** Server shutdown: a clean Close that lets the client reconnect elsewhere. */
  closeWithShutdown(): void {
    this.endStatus = 'app_shutdown';
    this.close({ type: MessageType.Close, allowReconnect: true });
  }

  /** Closes after an error: Close with the error, and the client may reconnect. */
  closeWithError(error: Error, allowReconnect = true): void {
    if (this.state === ConnectionState.Disconnected) return;
    this.closeError ??= error;
    const text = this.handler.describeError('Connection closed with an error.', error);
    this.close({ type: MessageType.Close, error: text, allowReconnect }, true);
  }

  private close(message: CloseMessage, error = false): void {
    if (this.state === ConnectionState.Disconnected) return;
    if (this.state === ConnectionState.Reconnecting) {
      // No transport to tell: the client's reconnect will find no connection.
      this.state = ConnectionState.Disconnected;
      this.transport.close(error);
      this.transportClosed();
      return;
    }
    // The last message is exempt from maximumPendingBytes.
    if (this.protocol) this.enqueue(this.protocol.writeMessage(message));
    this.flush();
    this.state = ConnectionState.Disconnected;
    this.transport.close(error);
  }

  transportFailed(error: Error): void {
    this.closeWithError(error);
  }

  transportClosed(error?: Error): void {
    this.state = ConnectionState.Disconnected;
    this.pending = undefined;
    this.partial = undefined;
    this.messageBuffer?.dispose();
    void this.handler.onConnectionClosed(this, this.closeError ?? error); // it logs its own failures
  }
}
