// The public API of `nest-signalr`. Each name is listed on purpose: anything
// not named here is internal and may change in any release. The API report
// (libs/signalr/nest-signalr.api.md, `npm run api:update`) records this surface.

// Setting up: the module, the adapter and the hub options.
export { SignalRModule } from './nest/signalr.module.js';
export { SignalRAdapter } from './nest/signalr.adapter.js';
export type { SignalRModuleOptions } from './interfaces/signalr-module-options.interface.js';
export type { HubOptions } from './interfaces/hub-options.interface.js';
export type { HubSecurityOptions } from './interfaces/hub-security-options.interface.js';
export type { HubCorsOptions } from './interfaces/hub-cors-options.interface.js';
export { HttpTransportType } from './transports/http-transport-type.js';

// Writing hubs.
export { Hub } from './decorators/hub.decorator.js';
export { HubMethod, type HubMethodOptions } from './decorators/hub-method.decorator.js';
export { HubCaller } from './decorators/hub-caller.decorator.js';
export { UploadStream } from './decorators/upload-stream.decorator.js';
export { HubAbortSignal } from './decorators/hub-abort-signal.decorator.js';
export { HubAuthorize } from './decorators/hub-authorize.decorator.js';
export type { OnHubConnected, OnHubDisconnected } from './hub/hub-lifecycle.interface.js';
export { HubCallerContext } from './hub/hub-caller-context.js';
export { ConnectionRequest } from './connections/connection-request.js';
export { HubException } from './hub/hub-exception.js';
export { ClientResultTimeoutError } from './hub/client-result-timeout.error.js';
export { HubEndpoint } from './nest/hub-endpoint.js';

// Connection handlers: plain connections, without the hub protocol.
export { ConnectionHandler, type ConnectionHandlerOptions } from './decorators/connection-handler.decorator.js';
export type { OnConnection } from './connection-handlers/connection-handler.interface.js';
export { ConnectionContext } from './connection-handlers/connection-context.js';
export { ConnectionHandlerEndpoint } from './nest/connection-handler-endpoint.js';

// Sending to clients, from a hub or from any provider.
export { InjectHubContext } from './decorators/inject-hub-context.decorator.js';
export { getHubContextToken } from './nest/known-hubs.js';
// Classes rather than types: they appear in decorated signatures, where
// emitDecoratorMetadata with isolatedModules needs a value.
export { HubContext } from './hub/hub-context.js';
export { HubClients } from './hub/hub-clients.js';
export { HubCallerClients } from './hub/hub-caller-clients.js';
export { ClientProxy, SingleClientProxy } from './hub/client-proxy.js';
export { GroupManager } from './hub/group-manager.js';
// Typed client proxies: `HubContext<ChatClient>` and the like.
export type { ClientMethodKey, ClientMethodNames } from './hub/client-methods.js';
export type {
  ClientProxyOf,
  ClientResults,
  ClientSends,
  SingleClientProxyOf,
  TypedClientProxy,
  TypedSingleClientProxy,
} from './hub/typed-client-proxy.js';

// Authentication.
export type {
  HubAuthenticate,
  HubAuthenticationContext,
  HubUserIdProvider,
} from './interfaces/hub-authentication.interface.js';
export { AuthenticationTicket } from './connections/authentication-ticket.js';

// Extension points: hub protocols and backplanes.
export type { HubProtocol } from './protocol/hub-protocol.js';
export { HubProtocolError } from './protocol/hub-protocol-error.js';
export { TransferFormat } from './protocol/transfer-format.js';
export {
  MessageType,
  type AckMessage,
  type CancelInvocationMessage,
  type CloseMessage,
  type CompletionMessage,
  type HubInvocationMessageBase,
  type HubMessage,
  type InvocationMessage,
  type MessageHeaders,
  type PingMessage,
  type SequenceMessage,
  type StreamInvocationMessage,
  type StreamItemMessage,
} from './protocol/hub-message.js';
export { JsonHubProtocol } from './protocol/json-hub-protocol.js';
export { MessagePackHubProtocol } from './protocol/messagepack-hub-protocol.js';
export { HubLifetimeManager } from './lifetime/hub-lifetime-manager.js';
export type { BackplaneScope, HubLifetimeManagerFactory } from './lifetime/hub-lifetime-manager-factory.js';
export type { LifetimeConnection } from './lifetime/lifetime-connection.js';
// Writing a backplane: a bus for the scale-out core (README, "Writing a backplane").
export type { BackplaneBus, BusListeners } from './lifetime/scaleout/backplane-bus.js';
export { BackplaneUnavailableError } from './lifetime/scaleout/backplane-unavailable.error.js';
export { scaleoutBackplane } from './lifetime/scaleout/scaleout-backplane.js';
export { ScaleoutHubLifetimeManager } from './lifetime/scaleout/scaleout-hub-lifetime-manager.js';
export type { ScaleoutOptions } from './lifetime/scaleout/scaleout-node.js';
export { inMemoryBackplane } from './lifetime/scaleout/in-memory-backplane.js';
export { InMemoryBroker, InMemoryBus } from './lifetime/scaleout/in-memory-bus.js';

// Observability: the meter and tracer name, and the names of what they report.
export { SIGNALR_TELEMETRY_NAME, SignalRAttributes, SignalRMetricNames } from './diagnostics/telemetry-names.js';
