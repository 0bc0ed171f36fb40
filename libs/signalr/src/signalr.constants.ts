/** Metadata on a hub class: its path and options (`@Hub`). */
export const HUB_METADATA = 'signalr:hub';
/** Metadata on a hub class: the descriptors of its `@HubMethod`s. */
export const HUB_METHODS_METADATA = 'signalr:hub-methods';
/** Metadata on a hub class: `@HubAuthorize()`. */
export const HUB_AUTHORIZE_METADATA = 'signalr:hub-authorize';
/** Gateway option key that marks a `@WebSocketGateway` as a hub, holding the hub class. */
export const HUB_GATEWAY_OPTION = 'signalrHub';
/** Injection token of the module options. */
export const SIGNALR_MODULE_OPTIONS = Symbol('SIGNALR_MODULE_OPTIONS');
/** Metadata on a hub method: indexes of its `@UploadStream()` parameters. */
export const UPLOAD_STREAMS_METADATA = 'signalr:upload-streams';
/** Metadata on a connection handler class: its path and options (`@ConnectionHandler`). */
export const CONNECTION_HANDLER_METADATA = 'signalr:connection-handler';
/** Gateway option key that marks a `@WebSocketGateway` as a connection handler, holding its class. */
export const CONNECTION_HANDLER_GATEWAY_OPTION = 'signalrConnectionHandler';
