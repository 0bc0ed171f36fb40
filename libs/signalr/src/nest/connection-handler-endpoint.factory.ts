import { Logger, type Type } from '@nestjs/common';
import { PlainConnectionHandler } from '../connection-handlers/plain-connection-handler.js';
import { Heartbeat } from '../connections/heartbeat.js';
import { HttpConnectionDispatcher } from '../connections/http-connection-dispatcher.js';
import { HttpConnectionManager } from '../connections/http-connection-manager.js';
import { HubAuthenticator } from '../connections/hub-authenticator.js';
import type { ConnectionHandlerMetadata } from '../decorators/connection-handler.decorator.js';
import { hubAuthorizeOptions } from '../decorators/hub-authorize.decorator.js';
import { resolveHubOptions } from '../hub/default-hub-options.js';
import type { SignalRModuleOptions } from '../interfaces/signalr-module-options.interface.js';
import { CONNECTION_HANDLER_METADATA } from '../signalr.constants.js';
import { ConnectionHandlerEndpoint } from './connection-handler-endpoint.js';

/**
 * Assembles the parts that serve one connection handler: the connection
 * layer hubs use (negotiate, transports, authentication, limits, CORS),
 * with the handler's connections as its application.
 */
export function createConnectionHandlerEndpoint(
  type: Type,
  moduleOptions: SignalRModuleOptions,
  resolveHandler: () => object | undefined,
): ConnectionHandlerEndpoint {
  const { path, options: handlerOptions }: ConnectionHandlerMetadata = Reflect.getMetadata(
    CONNECTION_HANDLER_METADATA,
    type,
  );
  const options = resolveHubOptions(moduleOptions, handlerOptions, hubAuthorizeOptions(type));
  const heartbeat = new Heartbeat(Heartbeat.intervalFor(options.disconnectTimeout, options.pollTimeout));
  const handler = new PlainConnectionHandler(options, heartbeat, resolveHandler, new Logger(type.name));
  const connectionManager = new HttpConnectionManager(options.disconnectTimeout);
  heartbeat.add(connectionManager);
  const authenticator = new HubAuthenticator(
    moduleOptions.authenticate,
    options.requireAuthentication,
    moduleOptions.userIdProvider,
  );
  return new ConnectionHandlerEndpoint(
    path,
    handler,
    new HttpConnectionDispatcher(path, handler, connectionManager, authenticator),
  );
}
