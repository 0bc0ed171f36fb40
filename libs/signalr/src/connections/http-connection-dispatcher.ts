import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ServerOptions, WebSocketServer } from 'ws';
import type { HubConnectionHandler } from '../hub/hub-connection-handler.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import { WebSocketTransport } from '../transports/websocket-transport.js';
import { newConnectionId } from './connection-ids.js';
import { ConnectionLimit } from './connection-limit.js';
import type { HttpConnectionManager } from './http-connection-manager.js';
import { rejectUpgrade, sendJson, sendText } from './http-responses.js';
import type { HubAuthenticator } from './hub-authenticator.js';
import { readNegotiateVersion, writeNegotiateResponse } from './negotiate-protocol.js';

const ONE_MIB = 1024 * 1024;
/** How long a closing WebSocket waits for the client's Close frame (ASP.NET Core's CloseTimeout). */
const WEBSOCKET_CLOSE_TIMEOUT = 5_000;

/**
 * The HTTP face of one hub (ASP.NET Core's HttpConnectionDispatcher):
 * `POST {path}/negotiate` and the transport endpoints at `{path}`.
 */
export class HttpConnectionDispatcher {
  private readonly webSockets: WebSocketServer;
  private readonly limit: ConnectionLimit;

  constructor(
    readonly path: string,
    private readonly handler: HubConnectionHandler,
    readonly connectionManager: HttpConnectionManager,
    private readonly authenticator: HubAuthenticator,
  ) {
    const maxMessageSize = handler.options.maximumReceiveMessageSize;
    this.webSockets = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      // A client that stopped reading never answers a Close: drop it then
      // (an option of ws that its typings lack).
      closeTimeout: WEBSOCKET_CLOSE_TIMEOUT,
      // A frame may carry several messages; each one is checked against
      // maximumReceiveMessageSize by the protocol parser.
      maxPayload: Number.isFinite(maxMessageSize) ? Math.max(4 * maxMessageSize, ONE_MIB) : 100 * ONE_MIB,
    } as ServerOptions);
    this.limit = new ConnectionLimit(handler.options.maximumConcurrentConnections, handler, connectionManager);
  }

  /** The transports this hub serves, of those its options allow. */
  get transports(): HttpTransportType {
    return this.handler.options.transports & HttpTransportType.WebSockets;
  }

  async handleRequest(request: IncomingMessage, response: ServerResponse, pathname: string, query: URLSearchParams) {
    request.resume(); // bodies of negotiate requests are empty; never leave a socket stalled
    if (pathname !== this.path) {
      if (request.method !== 'POST') return sendText(response, 405, 'Method Not Allowed');
      return this.negotiate(request, response, query);
    }
    if (!query.get('id')) return sendText(response, 400, 'Connection ID required');
    return sendText(response, 404, 'No Connection with that ID');
  }

  private async negotiate(request: IncomingMessage, response: ServerResponse, query: URLSearchParams) {
    if (this.limit.reached) return sendText(response, 503, this.limit.refusal);
    const auth = await this.limit.admitting(this.authenticator.check(request, query));
    if (!auth.ok) return sendText(response, 401, 'Unauthorized');
    const { version, error } = readNegotiateVersion(query);
    if (error !== undefined) return sendJson(response, JSON.stringify({ error }));
    const connection = this.connectionManager.create(version, this.handler.heartbeat.now, auth.user);
    sendJson(response, writeNegotiateResponse(version, connection, this.transports));
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams) {
    // Node hands over the socket without an error listener: a client that
    // resets it while it is being authenticated must not crash the process.
    socket.on('error', destroyOnError);
    if (!(this.transports & HttpTransportType.WebSockets)) {
      return rejectUpgrade(socket, 404, 'WebSockets transport not supported by this end point type');
    }
    const token = query.get('id');
    // Without an id the client skipped negotiation: the connection starts here.
    const negotiated = token === null ? undefined : this.connectionManager.claim(token);
    if (token !== null && !negotiated) return rejectUpgrade(socket, 404, 'No Connection with that ID');
    // A negotiated connection was counted at negotiate.
    if (!negotiated && this.limit.reached) return rejectUpgrade(socket, 503, this.limit.refusal);

    const auth = await this.limit.admitting(this.authenticator.check(request, query));
    if (!auth.ok) return rejectUpgrade(socket, 401, 'Unauthorized');

    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const transport = new WebSocketTransport(webSocket);
      const connection = this.handler.openConnection(
        negotiated?.connectionId ?? newConnectionId(),
        transport,
        auth.user,
      );
      connection.userIdentifier = auth.user === undefined ? undefined : this.authenticator.userIdProvider(auth.user);
      connection.authenticationExpiresAt = auth.expiresAt;
      transport.attach(connection);
    });
  }

  close(): void {
    this.handler.close();
    this.webSockets.close();
  }
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}
