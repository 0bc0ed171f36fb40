import type { Logger } from '@nestjs/common';
import type { Heartbeat, HeartbeatListener } from '../connections/heartbeat.js';
import type { HubDiagnostics } from '../diagnostics/hub-diagnostics.js';
import type { HubStatistics } from '../diagnostics/hub-statistics.js';
import type { ResolvedHubOptions } from '../interfaces/hub-options.interface.js';
import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';
import type { HandshakeRequest } from '../protocol/handshake-protocol.js';
import { type HubMessage, MessageType } from '../protocol/hub-message.js';
import type { Transport } from '../transports/transport.js';
import { GroupManager } from './group-manager.js';
import { ConnectionState, HubConnectionContext, type HubConnectionSetup } from './hub-connection-context.js';
import type { HubDispatcher } from './hub-dispatcher.js';
import { buildErrorMessage } from './hub-error-messages.js';
import type { OnHubConnected, OnHubDisconnected } from './hub-lifecycle.interface.js';
import type { HubProtocolResolver, ProtocolSelection } from './hub-protocol-resolver.js';

type HubInstance = Partial<OnHubConnected & OnHubDisconnected>;

/**
 * Runs the life of every connection to one hub, whatever its transport
 * (ASP.NET Core's HubConnectionHandler): handshake, registration with the
 * lifetime manager and Nest, lifecycle hooks, message routing, and clean-up.
 */
export class HubConnectionHandler implements HeartbeatListener {
  readonly connections = new Set<HubConnectionContext>();
  readonly groups: GroupManager;
  /** The hub's running totals (hot paths count into them). */
  readonly statistics: HubStatistics;
  /** Nest's connection callback: runs `handleConnection` and binds the message handlers. */
  nestConnect?: (client: HubConnectionContext) => void;

  constructor(
    readonly options: ResolvedHubOptions,
    readonly heartbeat: Heartbeat,
    private readonly protocols: HubProtocolResolver,
    readonly lifetimeManager: HubLifetimeManager,
    readonly dispatcher: HubDispatcher,
    private readonly resolveHub: () => HubInstance | undefined,
    private readonly logger: Logger,
    readonly diagnostics: HubDiagnostics,
  ) {
    this.groups = new GroupManager(lifetimeManager);
    this.statistics = diagnostics.statistics;
    heartbeat.add(this);
  }

  /** A transport is up: the connection now waits for its handshake. */
  openConnection(setup: HubConnectionSetup): HubConnectionContext {
    const connection = new HubConnectionContext(this, setup);
    this.connections.add(connection);
    this.diagnostics.connectionOpened(connection);
    return connection;
  }

  selectProtocol(request: HandshakeRequest, transport: Transport): ProtocolSelection {
    return this.protocols.select(request, transport);
  }

  describeError(message: string, error: unknown): string {
    return buildErrorMessage(message, error, this.options.enableDetailedErrors);
  }

  async onHandshakeCompleted(connection: HubConnectionContext): Promise<void> {
    const span = this.diagnostics.startConnectSpan(connection);
    try {
      await this.lifetimeManager.onConnected(connection);
      if (connection.state === ConnectionState.Disconnected) return span.end();
      this.nestConnect?.(connection);
      await this.resolveHub()?.onConnected?.(connection);
    } catch (error) {
      this.diagnostics.endSpan(span, error);
      this.logger.error('Error when dispatching the hub connected event.', (error as Error)?.stack);
      connection.closeWithError(error as Error, false);
      return;
    }
    span.end();
    connection.startReceiving();
  }

  /** Routes one message; false when the connection must stop reading (a full upload stream). */
  onMessage(connection: HubConnectionContext, message: HubMessage): boolean | void {
    this.statistics.messagesReceived++;
    switch (message.type) {
      case MessageType.Invocation:
        return this.dispatcher.onInvocation(connection, message);
      case MessageType.StreamInvocation:
        this.dispatcher.onStreamInvocation(connection, message);
        break;
      case MessageType.StreamItem:
        // Items for unknown streams are ignored, as in ASP.NET Core.
        return connection.uploadStreams?.write(message.invocationId, message.item);
      case MessageType.Completion:
        // An id is an upload stream's first, else a client result's.
        if (!connection.uploadStreams?.complete(message.invocationId, message.error)) {
          this.lifetimeManager.setConnectionResult(connection.connectionId, message);
        }
        break;
      case MessageType.CancelInvocation:
        connection.serverStreams?.get(message.invocationId)?.cancel();
        break;
      case MessageType.Ping:
        connection.onPing();
        break;
      case MessageType.Close:
        connection.onClientClose(message);
        break;
      // Without stateful reconnect, Ack and Sequence are ignored as in ASP.NET Core.
      case MessageType.Ack:
        connection.messageBuffer?.ack(message.sequenceId);
        break;
      case MessageType.Sequence:
        connection.messageBuffer?.resetSequence(message.sequenceId);
        break;
    }
  }

  async onConnectionClosed(connection: HubConnectionContext, error?: Error): Promise<void> {
    if (!this.connections.delete(connection)) return;
    this.diagnostics.connectionClosed(connection, connection.transport.timedOut ? 'timeout' : connection.endStatus);
    if (connection.protocol === undefined) return; // never got past the handshake
    this.dispatcher.onConnectionClosed(connection);
    try {
      await this.lifetimeManager.onDisconnected(connection);
      connection.onNestDisconnect?.(error);
      await this.resolveHub()?.onDisconnected?.(connection, error);
    } catch (hookError) {
      this.logger.error('Error when dispatching the hub disconnected event.', (hookError as Error)?.stack);
    }
  }

  onHeartbeat(now: number): void {
    for (const connection of this.connections) connection.onHeartbeat(now);
  }

  /** Server shutdown: tell every client it may reconnect (to another node), then close. */
  close(): void {
    this.heartbeat.stop();
    for (const connection of this.connections) {
      if (connection.state === ConnectionState.Disconnected) continue;
      connection.closeWithShutdown();
    }
  }
}
