import { Logger, type Type } from '@nestjs/common';
import { Heartbeat } from '../connections/heartbeat.js';
import { HttpConnectionDispatcher } from '../connections/http-connection-dispatcher.js';
import { HttpConnectionManager } from '../connections/http-connection-manager.js';
import { HubAuthenticator } from '../connections/hub-authenticator.js';
import type { HubMetadata } from '../decorators/hub.decorator.js';
import { HubDiagnostics } from '../diagnostics/hub-diagnostics.js';
import { hubAuthorizeOptions } from '../decorators/hub-authorize.decorator.js';
import { resolveHubOptions } from '../hub/default-hub-options.js';
import { HubConnectionHandler } from '../hub/hub-connection-handler.js';
import { HubDispatcher } from '../hub/hub-dispatcher.js';
import type { HubMethodDescriptor } from '../hub/hub-method-descriptor.js';
import { HubProtocolResolver } from '../hub/hub-protocol-resolver.js';
import { JsonHubProtocol } from '../protocol/json-hub-protocol.js';
import { MessagePackHubProtocol } from '../protocol/messagepack-hub-protocol.js';
import { HUB_METADATA, HUB_METHODS_METADATA } from '../signalr.constants.js';
import { compileDirectCall } from './direct-hub-method.js';
import { HubEndpoint } from './hub-endpoint.js';
import type { HubRegistry } from './hub-registry.js';

/** Protocols are stateless: every hub shares these, so a broadcast serializes once per protocol. */
const BUILT_IN_PROTOCOLS = [new JsonHubProtocol(), new MessagePackHubProtocol()];

/** Assembles the parts that serve one hub, from its metadata and the module options. */
export function createHubEndpoint(
  hub: Type,
  registry: HubRegistry,
  resolveHub: () => object | undefined,
  hasGlobalEnhancers: () => boolean,
): HubEndpoint {
  const { path, options: hubOptions }: HubMetadata = Reflect.getMetadata(HUB_METADATA, hub);
  const methods: HubMethodDescriptor[] = Reflect.getMetadata(HUB_METHODS_METADATA, hub) ?? [];
  const moduleOptions = registry.options;
  const options = resolveHubOptions(moduleOptions, hubOptions, hubAuthorizeOptions(hub));
  const logger = new Logger(hub.name);

  const heartbeat = new Heartbeat(
    Heartbeat.intervalFor(
      options.keepAliveInterval,
      options.clientTimeoutInterval,
      options.handshakeTimeout,
      options.disconnectTimeout,
      options.pollTimeout,
    ),
  );
  const protocols = new HubProtocolResolver(
    [...BUILT_IN_PROTOCOLS, ...(moduleOptions.protocols ?? [])],
    options.supportedProtocols,
  );
  const context = registry.getHubContext(hub);
  context.lifetimeManager.init(protocols.protocols);
  const handler = new HubConnectionHandler(
    options,
    heartbeat,
    protocols,
    context.lifetimeManager,
    new HubDispatcher(methods, options, logger, (method) =>
      compileDirectCall(resolveHub(), method, hasGlobalEnhancers()),
    ),
    resolveHub,
    logger,
    new HubDiagnostics(hub.name),
  );
  const connectionManager = new HttpConnectionManager(options.disconnectTimeout, () =>
    context.lifetimeManager.newConnectionId(),
  );
  heartbeat.add(connectionManager);
  const authenticator = new HubAuthenticator(
    moduleOptions.authenticate,
    options.requireAuthentication,
    moduleOptions.userIdProvider,
  );
  const http = new HttpConnectionDispatcher(path, handler, connectionManager, authenticator);
  const endpoint = new HubEndpoint(path, context, handler, http);
  registry.endpoints.add(endpoint);
  return endpoint;
}
