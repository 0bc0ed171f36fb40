import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { HubConnectionHandler } from '../hub/hub-connection-handler.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import { WebSocketTransport } from '../transports/websocket-transport.js';
import type { HttpConnectionManager } from './http-connection-manager.js';
import { rejectUpgrade, sendJson, sendText } from './http-responses.js';
import type { HubAuthenticator } from './hub-authenticator.js';
import { readNegotiateVersion, writeNegotiateResponse } from './negotiate-protocol.js';

const ONE_MIB = 1024 * 1024;

/**
 * The HTTP face of one hub (ASP.NET Core's HttpConnectionDispatcher):
 * `POST {path}/negotiate` and the transport endpoints at `{path}`.
 */
export class HttpConnectionDispatcher {
  private readonly webSockets: WebSocketServer;

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
      // A frame may carry several messages; each one is checked against
      // maximumReceiveMessageSize by the protocol parser.
      maxPayload: Number.isFinite(maxMessageSize) ? Math.max(4 * maxMessageSize, ONE_MIB) : 100 * ONE_MIB,
    });
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
    const auth = await this.authenticator.check(request, query);
    if (!auth.ok) return sendText(response, 401, 'Unauthorized');
    const { version, error } = readNegotiateVersion(query);
    if (error !== undefined) return sendJson(response, JSON.stringify({ error }));
    const connection = this.connectionManager.create(version, this.handler.heartbeat.now, auth.user);
    sendJson(response, writeNegotiateResponse(version, connection, this.transports));
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams) {
    if (!(this.transports & HttpTransportType.WebSockets)) {
      return rejectUpgrade(socket, 404, 'WebSockets transport not supported by this end point type');
    }
    const token = query.get('id');
    // Without an id the client skipped negotiation: the connection starts here.
    const negotiated = token === null ? undefined : this.connectionManager.claim(token);
    if (token !== null && !negotiated) return rejectUpgrade(socket, 404, 'No Connection with that ID');

    const auth = await this.authenticator.check(request, query);
    if (!auth.ok) return rejectUpgrade(socket, 401, 'Unauthorized');

    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const transport = new WebSocketTransport(webSocket);
      const connection = this.handler.openConnection(
        negotiated?.connectionId ?? this.connectionManager.newId(),
        transport,
        auth.user,
      );
      connection.userIdentifier = auth.user === undefined ? undefined : this.authenticator.userIdProvider(auth.user);
      transport.attach(connection);
    });
  }

  close(): void {
    this.handler.close();
    this.webSockets.close();
  }
}
