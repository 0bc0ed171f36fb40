import { WebSocketGateway } from '@nestjs/websockets';
import type { HubOptions } from '../interfaces/hub-options.interface.js';
import { CONNECTION_HANDLER_GATEWAY_OPTION, CONNECTION_HANDLER_METADATA } from '../signalr.constants.js';
import { normalizeHubPath } from './hub-path.js';

/** The options of a connection handler: those of the connection layer it shares with hubs. */
export type ConnectionHandlerOptions = Pick<
  HubOptions,
  | 'transports'
  | 'disconnectTimeout'
  | 'pollTimeout'
  | 'transportMaxBufferSize'
  | 'cors'
  | 'requireAuthentication'
  | 'maximumPendingBytes'
  | 'maximumConcurrentConnections'
>;

export interface ConnectionHandlerMetadata {
  path: string;
  options: ConnectionHandlerOptions;
}

/**
 * Serves plain connections at `path`, without the hub protocol (ASP.NET
 * Core's `MapConnectionHandler<T>(path)`): negotiate, WebSockets, Server-Sent
 * Events and long polling with the clients' fallback, the module's
 * authentication, limits and CORS, as for hubs. The provider's
 * `onConnected(connection)` runs for each connection; the official client's
 * `HttpConnection` connects to it. `options` override the module's.
 *
 * @example
 * ＠ConnectionHandler('/echo')
 * export class EchoHandler implements OnConnection {
 *   async onConnected(connection: ConnectionContext) {
 *     for await (const message of connection.input) await connection.send(message);
 *   }
 * }
 *
 * @publicApi
 */
export function ConnectionHandler(path: string, options: ConnectionHandlerOptions = {}): ClassDecorator {
  return (target) => {
    const handlerPath = normalizeHubPath(path);
    Reflect.defineMetadata(
      CONNECTION_HANDLER_METADATA,
      { path: handlerPath, options } satisfies ConnectionHandlerMetadata,
      target,
    );
    WebSocketGateway({ path: handlerPath, [CONNECTION_HANDLER_GATEWAY_OPTION]: target })(target);
  };
}
