import type { Logger } from '@nestjs/common';
import type { ConnectionApplication, ConnectionSetup } from '../connections/connection-application.js';
import type { Heartbeat } from '../connections/heartbeat.js';
import type { ResolvedHubOptions } from '../interfaces/hub-options.interface.js';
import { PlainConnection } from './plain-connection.js';
import type { OnConnection } from './connection-handler.interface.js';

/**
 * Runs the connections of one `@ConnectionHandler` provider: hands each to
 * its `onConnected`, and closes it when that settles.
 */
export class PlainConnectionHandler implements ConnectionApplication {
  readonly connections = new Set<PlainConnection>();

  constructor(
    readonly options: ResolvedHubOptions,
    readonly heartbeat: Heartbeat,
    private readonly resolveHandler: () => Partial<OnConnection> | undefined,
    private readonly logger: Logger,
  ) {}

  openConnection(setup: ConnectionSetup): PlainConnection {
    const connection = new PlainConnection(this, setup);
    this.connections.add(connection);
    // The transport starts right after this returns: the application runs once it has.
    queueMicrotask(() => void this.run(connection));
    return connection;
  }

  private async run(connection: PlainConnection): Promise<void> {
    try {
      await this.resolveHandler()?.onConnected?.(connection);
      connection.close();
    } catch (error) {
      this.logger.error('Error when dispatching the connected event.', (error as Error)?.stack);
      connection.close(error as Error);
    }
  }

  onConnectionClosed(connection: PlainConnection): void {
    this.connections.delete(connection);
  }

  close(): void {
    this.heartbeat.stop();
    for (const connection of this.connections) connection.close(); // each leaves the set as it closes
  }
}
