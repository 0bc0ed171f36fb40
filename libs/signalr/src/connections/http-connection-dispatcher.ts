import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ServerOptions, WebSocketServer } from 'ws';
import type { HubConnectionContext } from '../hub/hub-connection-context.js';
import type { HubConnectionHandler } from '../hub/hub-connection-handler.js';
import { HubProtocolError, maxMessageSizeExceeded } from '../protocol/hub-protocol-error.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import { type LongPollingSettings, LongPollingTransport } from '../transports/long-polling-transport.js';
import { ServerSentEventsTransport } from '../transports/server-sent-events-transport.js';
import type { Transport } from '../transports/transport.js';
import { NormalClosingWebSocket } from '../transports/normal-closing-websocket.js';
import { WebSocketTransport } from '../transports/websocket-transport.js';
import { ConnectionLimit } from './connection-limit.js';
import { ConnectionRequest } from './connection-request.js';
import { CorsPolicy, isPreflight } from './cors.js';
import type { HttpConnectionManager } from './http-connection-manager.js';
import { rejectUpgrade, sendJson, sendText } from './http-responses.js';
import type { AuthenticationResult, HubAuthenticator } from './hub-authenticator.js';
import { readNegotiateVersion, readStatefulReconnect, writeNegotiateResponse } from './negotiate-protocol.js';

const ONE_MIB = 1024 * 1024;
/** How long a closing WebSocket waits for the client's Close frame (ASP.NET Core's CloseTimeout). */
const WEBSOCKET_CLOSE_TIMEOUT = 5_000;

type Authenticated = Extract<AuthenticationResult, { ok: true }>;

type ActiveTransport = WebSocketTransport | ServerSentEventsTransport | LongPollingTransport;

/** Why a transport request cannot go on: its status and text/plain body (ASP.NET Core's texts). */
interface Refusal {
  status: number;
  body: string;
}

/** The token belongs to a negotiated connection that no transport has started yet. */
const NEGOTIATED = 'negotiated';

/**
 * The HTTP face of one hub (ASP.NET Core's HttpConnectionDispatcher):
 * `POST {path}/negotiate`, and at `{path}` the transports: WebSocket upgrade,
 * `GET` with `Accept: text/event-stream` (Server-Sent Events), other `GET`s
 * (long polling), `POST` (sends for both HTTP transports) and `DELETE` (ends
 * a long-polling connection). Status codes and texts are ASP.NET Core's.
 *
 * Stateful reconnect: a WebSocket connection that negotiated it and dropped
 * stays under its token for `disconnectTimeout`; a new WebSocket with that
 * token resumes it. A second WebSocket for a connection whose WebSocket is
 * still open gets 409, as for any other connection.
 */
export class HttpConnectionDispatcher {
  private readonly webSockets: WebSocketServer;
  /**
   * Started connections by secret connection token (those that skipped
   * negotiation have none); each leaves when its transport is done, or, for
   * a dropped WebSocket awaiting a stateful reconnect, when its connection is.
   */
  private readonly active = new Map<string, ActiveTransport>();
  private readonly cors?: CorsPolicy;
  private readonly longPolling: LongPollingSettings;
  /** Largest WebSocket message or POST body: several hub messages may share one. */
  private readonly maxUnitSize: number;
  private readonly limit: ConnectionLimit;

  constructor(
    readonly path: string,
    private readonly handler: HubConnectionHandler,
    readonly connectionManager: HttpConnectionManager,
    private readonly authenticator: HubAuthenticator,
  ) {
    const options = handler.options;
    const maxMessageSize = options.maximumReceiveMessageSize;
    this.maxUnitSize = Number.isFinite(maxMessageSize) ? Math.max(4 * maxMessageSize, ONE_MIB) : 100 * ONE_MIB;
    this.webSockets = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: this.maxUnitSize,
      WebSocket: NormalClosingWebSocket,
      // A client that stopped reading never answers a Close: drop it then
      // (an option of ws that its typings lack).
      closeTimeout: WEBSOCKET_CLOSE_TIMEOUT,
    } as ServerOptions);
    this.limit = new ConnectionLimit(options.maximumConcurrentConnections, handler, connectionManager);
    this.cors = options.cors ? new CorsPolicy(options.cors) : undefined;
    this.longPolling = { options, clock: handler.heartbeat };
  }

  /** The transports this hub serves, as its options allow. */
  get transports(): HttpTransportType {
    return this.handler.options.transports;
  }

  /** Connections started through negotiate whose transport is not done yet. */
  get activeConnectionCount(): number {
    return this.active.size;
  }

  /** A request to the hub's path, or (`negotiate`) to its negotiate path. */
  async handleRequest(request: IncomingMessage, response: ServerResponse, negotiate: boolean, query: URLSearchParams) {
    if (request.method !== 'POST' || negotiate) {
      request.resume(); // only sends have a body to read; never leave a socket stalled
    }
    if (this.cors) {
      if (isPreflight(request)) return this.cors.preflight(request, response);
      this.cors.apply(request, response);
    }
    if (negotiate) {
      if (request.method !== 'POST') return sendText(response, 405, 'Method Not Allowed');
      return this.negotiate(request, response, query);
    }
    switch (request.method) {
      case 'GET':
        return this.handleGet(request, response, query);
      case 'POST':
        return this.handleSend(request, response, query);
      case 'DELETE':
        return this.handleDelete(response, query);
      default:
        return sendText(response, 405);
    }
  }

  private async negotiate(request: IncomingMessage, response: ServerResponse, query: URLSearchParams) {
    if (this.limit.reached) return sendText(response, 503, this.limit.refusal);
    const auth = await this.limit.admitting(this.authenticator.check(request, query));
    if (!auth.ok) return sendText(response, 401, 'Unauthorized');
    const { version, error } = readNegotiateVersion(query);
    if (error !== undefined) return sendJson(response, JSON.stringify({ error }));
    const statefulReconnect = this.handler.options.allowStatefulReconnects && readStatefulReconnect(query);
    const connection = this.connectionManager.create(version, this.handler.heartbeat.now, auth.user, statefulReconnect);
    sendJson(response, writeNegotiateResponse(version, connection, this.transports));
  }

  // ---- transports ---------------------------------------------------------

  /** `GET {path}?id=`: opens an event stream, or polls. */
  private async handleGet(request: IncomingMessage, response: ServerResponse, query: URLSearchParams) {
    const type = acceptsEventStream(request) ? HttpTransportType.ServerSentEvents : HttpTransportType.LongPolling;
    if (type === HttpTransportType.LongPolling) setNoCacheHeaders(response);
    const token = query.get('id');
    const found = this.lookup(token, type);
    if (found !== NEGOTIATED) return this.continueGet(found, response);

    const auth = await this.authenticator.check(request, query);
    if (!auth.ok) return sendText(response, 401, 'Unauthorized');
    // Another request may have started the connection meanwhile.
    const current = this.lookup(token, type);
    if (current !== NEGOTIATED) return this.continueGet(current, response);

    const { connectionId } = this.connectionManager.claim(token!)!;
    if (type === HttpTransportType.ServerSentEvents) {
      const transport = new ServerSentEventsTransport(response, this.handler.options.transportMaxBufferSize);
      const connection = this.openConnection(connectionId, transport, auth, request);
      this.active.set(token!, transport);
      transport.start(connection, () => this.release(token!, transport));
    } else {
      const transport: LongPollingTransport = new LongPollingTransport(this.longPolling, () =>
        this.release(token!, transport),
      );
      const connection = this.openConnection(connectionId, transport, auth, request);
      this.active.set(token!, transport);
      this.handler.heartbeat.add(transport);
      transport.start(response, connection);
    }
  }

  private continueGet(found: Refusal | LongPollingTransport | WebSocketTransport, response: ServerResponse): void {
    if (found instanceof LongPollingTransport) found.handlePoll(response);
    // (The lookup never gives a GET a WebSocket to join: it is another transport.)
    else if (found instanceof WebSocketTransport) sendText(response, 409);
    else sendText(response, found.status, found.body);
  }

  /** `POST {path}?id=`: client output for an SSE or long-polling connection, streamed into it. */
  private handleSend(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): void {
    const token = query.get('id');
    const transport = token ? this.active.get(token) : undefined;
    if (!transport || transport instanceof WebSocketTransport || !transport.receiving) {
      request.resume();
      if (!token) return sendText(response, 400, 'Connection ID required');
      if (transport instanceof WebSocketTransport) {
        return sendText(response, 405, 'POST requests are not allowed for WebSocket connections.');
      }
      // A connection that has ended, or has no transport yet, takes no input.
      if (transport || this.connectionManager.has(token)) return sendText(response, 404);
      return sendText(response, 404, 'No Connection with that ID');
    }
    if (Number(request.headers['content-length']) > this.maxUnitSize) {
      return this.refuseBody(request, response, transport);
    }
    const done = () => transport.input.done(request);
    request.once('close', done);
    transport.input.add(request, () => this.readBody(request, response, transport, done));
  }

  /** Streams one POST body into the connection (its turn has come). */
  private readBody(
    request: IncomingMessage,
    response: ServerResponse,
    transport: ServerSentEventsTransport | LongPollingTransport,
    done: () => void,
  ): void {
    const receiver = transport.receiver!;
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > this.maxUnitSize) {
        request.off('data', onData);
        this.refuseBody(request, response, transport);
        done();
      } else {
        receiver.receive(chunk);
      }
    };
    request.on('data', onData);
    request.once('end', () => {
      if (!response.headersSent) sendText(response, 200);
      done();
    });
    // The client went away mid-body (ASP.NET Core answers 400).
    request.once('error', () => {
      if (!response.headersSent) sendText(response, 400);
    });
  }

  /** A body larger than a WebSocket message may be: 413, and the connection closes as over WebSockets. */
  private refuseBody(
    request: IncomingMessage,
    response: ServerResponse,
    transport: ServerSentEventsTransport | LongPollingTransport,
  ): void {
    request.resume();
    response.setHeader('Connection', 'close');
    sendText(response, 413, `The request body is larger than ${this.maxUnitSize} bytes.`);
    const maxMessageSize = this.handler.options.maximumReceiveMessageSize;
    transport.receiver!.transportFailed(
      Number.isFinite(maxMessageSize)
        ? maxMessageSizeExceeded(maxMessageSize)
        : new HubProtocolError(`The request body is larger than ${this.maxUnitSize} bytes.`),
    );
  }

  /** `DELETE {path}?id=`: the long-polling client stops. */
  private handleDelete(response: ServerResponse, query: URLSearchParams): void {
    const token = query.get('id');
    if (!token) return sendText(response, 400, 'Connection ID required');
    const transport = this.active.get(token);
    if (!transport && !this.connectionManager.has(token)) return sendText(response, 404, 'No Connection with that ID');
    if (!(transport instanceof LongPollingTransport)) {
      return sendText(response, 400, 'Cannot terminate this connection using the DELETE endpoint.');
    }
    sendText(response, 202);
    transport.terminate();
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams) {
    // Node hands over the socket without an error listener: a client that
    // resets it while it is being authenticated must not crash the process.
    socket.on('error', destroyOnError);
    const token = query.get('id');
    const type = HttpTransportType.WebSockets;
    // Without an id the client skipped negotiation: the connection starts here.
    if (!token) {
      if (!(this.transports & type)) return rejectUpgrade(socket, 404, notSupported(type));
      if (this.limit.reached) return rejectUpgrade(socket, 503, this.limit.refusal);
    } else {
      const found = this.lookup(token, type);
      if (found !== NEGOTIATED && !(found instanceof WebSocketTransport)) return rejectRefusal(socket, found);
    }

    // A negotiated connection is counted until its transport claims it; a new one while it authenticates.
    const checking = this.authenticator.check(request, query);
    const auth = await (token ? checking : this.limit.admitting(checking));
    if (!auth.ok) return rejectUpgrade(socket, 401, 'Unauthorized');
    let connectionId: string;
    let statefulReconnect = false;
    if (token) {
      let current = this.lookup(token, type);
      if (current instanceof WebSocketTransport && !current.awaitingReconnect) {
        // The client came back before the server handled its old socket's close.
        await current.whenClosed();
        current = this.lookup(token, type);
      }
      if (current instanceof WebSocketTransport) {
        if (!current.awaitingReconnect) return rejectUpgrade(socket, 409, '');
        return this.resume(request, socket, head, token, current, auth);
      }
      if (current !== NEGOTIATED) return rejectRefusal(socket, current);
      ({ connectionId, statefulReconnect } = this.connectionManager.claim(token)!);
    } else {
      connectionId = this.connectionManager.newId();
    }

    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const transport = new WebSocketTransport(webSocket);
      const connection = this.openConnection(connectionId, transport, auth, request);
      if (!token) return transport.attach(connection);
      connection.statefulReconnectAllowed = statefulReconnect;
      this.active.set(token, transport);
      transport.attach(connection, () => this.release(token, transport));
    });
  }

  /**
   * Stateful reconnect: the client's new WebSocket takes over the connection
   * that waits under its token. No handshake: the connection sends its
   * Sequence and replays what the client has not acknowledged.
   */
  private resume(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    token: string,
    dropped: WebSocketTransport,
    auth: Authenticated,
  ): void {
    const connection = dropped.receiver as HubConnectionContext;
    // Only the connection's own user may take it over (with a fresh token, say).
    const userId = auth.user === undefined ? undefined : this.authenticator.userIdProvider(auth.user);
    if (userId !== connection.userIdentifier || (auth.user === undefined) !== (connection.user === undefined)) {
      return rejectUpgrade(socket, 401, 'Unauthorized');
    }
    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const transport = new WebSocketTransport(webSocket);
      // The connection keeps its user; its authentication now expires with the new request's.
      connection.authenticationExpiresAt = auth.expiresAt;
      this.active.set(token, transport);
      connection.reconnect(transport);
      transport.attach(connection, () => this.release(token, transport));
    });
  }

  /**
   * Finds the connection of a transport request, checking in ASP.NET Core's
   * order: id present, connection known, transport enabled, same transport
   * as before, not already active (long polling may poll again, and a
   * WebSocket that dropped may be replaced by a stateful reconnect).
   */
  private lookup(
    token: string | null,
    type: HttpTransportType,
  ): Refusal | LongPollingTransport | WebSocketTransport | typeof NEGOTIATED {
    if (!token) return { status: 400, body: 'Connection ID required' };
    const transport = this.active.get(token);
    if (!transport && !this.connectionManager.has(token)) return { status: 404, body: 'No Connection with that ID' };
    if (!(this.transports & type)) return { status: 404, body: notSupported(type) };
    if (!transport) return NEGOTIATED;
    if (transport.type !== type) return { status: 400, body: 'Cannot change transports mid-connection' };
    if (transport instanceof LongPollingTransport) return transport;
    // A WebSocket that dropped (or is closing) may be replaced by a stateful reconnect.
    if (transport instanceof WebSocketTransport && (transport.awaitingReconnect || transport.closing)) return transport;
    return { status: 409, body: '' };
  }

  private openConnection(
    connectionId: string,
    transport: Transport,
    auth: Authenticated,
    request: IncomingMessage,
  ): HubConnectionContext {
    const { user } = auth;
    const connection = this.handler.openConnection(connectionId, transport, user);
    connection.request = new ConnectionRequest(request);
    connection.userIdentifier = user === undefined ? undefined : this.authenticator.userIdProvider(user);
    connection.authenticationExpiresAt = auth.expiresAt;
    return connection;
  }

  /** The close hook of every transport: its token stops answering. */
  private release(token: string, transport: ActiveTransport): void {
    if (this.active.get(token) === transport) this.active.delete(token);
    if (transport instanceof LongPollingTransport) this.handler.heartbeat.delete(transport);
  }

  close(): void {
    this.handler.close();
    // Shutdown: long-polling clients that are not polling now will not be.
    for (const transport of this.active.values()) {
      if (transport instanceof LongPollingTransport) transport.terminate();
    }
    this.webSockets.close();
  }
}

function notSupported(type: HttpTransportType): string {
  return `${HttpTransportType[type]} transport not supported by this end point type`;
}

/** What the lookup refused a WebSocket request with (it never finds a poll to join). */
function rejectRefusal(socket: Duplex, refusal: Refusal | LongPollingTransport): void {
  const { status, body } = refusal as Refusal;
  rejectUpgrade(socket, status, body);
}

function acceptsEventStream(request: IncomingMessage): boolean {
  const accept = request.headers.accept?.toLowerCase();
  if (accept === undefined || !accept.includes('text/event-stream')) return false;
  return accept.split(',').some((type) => type.split(';', 1)[0].trim() === 'text/event-stream');
}

/** Polls must never come from a cache (ASP.NET Core sets the same headers). */
function setNoCacheHeaders(response: ServerResponse): void {
  response.setHeader('Cache-Control', 'no-cache, no-store');
  response.setHeader('Pragma', 'no-cache');
  response.setHeader('Expires', 'Thu, 01 Jan 1970 00:00:00 GMT');
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}
