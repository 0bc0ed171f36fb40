import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { type ServerOptions, WebSocketServer } from 'ws';
import { HubProtocolError, maxMessageSizeExceeded } from '../protocol/hub-protocol-error.js';
import { HttpTransportType } from '../transports/http-transport-type.js';
import { type LongPollingSettings, LongPollingTransport } from '../transports/long-polling-transport.js';
import { ServerSentEventsTransport } from '../transports/server-sent-events-transport.js';
import type { Transport } from '../transports/transport.js';
import { NormalClosingWebSocket } from '../transports/normal-closing-websocket.js';
import { WebSocketTransport } from '../transports/websocket-transport.js';
import type { ApplicationConnection, ConnectionApplication } from './connection-application.js';
import { ConnectionLimit } from './connection-limit.js';
import { ConnectionRequest } from './connection-request.js';
import { CorsPolicy, isPreflight } from './cors.js';
import type { HttpConnectionManager } from './http-connection-manager.js';
import { rejectUpgrade, sendJson, sendText } from './http-responses.js';
import {
  type AuthenticationResult,
  type ConnectionOwner,
  type HubAuthenticator,
  ownerRefusal,
} from './hub-authenticator.js';
import { readNegotiateVersion, readStatefulReconnect, writeNegotiateResponse } from './negotiate-protocol.js';

const ONE_MIB = 1024 * 1024;
/** How long a closing WebSocket waits for the client's Close frame (ASP.NET Core's CloseTimeout). */
const WEBSOCKET_CLOSE_TIMEOUT = 5_000;
const INTERNAL_ERROR = 1011;

const logger = new Logger('HttpConnectionDispatcher');

type Authenticated = Extract<AuthenticationResult, { ok: true }>;

/** Why a transport request cannot go on: its status and text/plain body (ASP.NET Core's texts). */
class Refusal {
  constructor(
    readonly status: number,
    readonly body = '',
  ) {}
}

/** The token belongs to a negotiated connection that no transport has started yet. */
const NEGOTIATED = 'negotiated';

const UNAUTHORIZED = new Refusal(401, 'Unauthorized');
const FORBIDDEN = new Refusal(403, 'Forbidden');

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
  private readonly active = new Map<string, ApplicationConnection>();
  private readonly cors?: CorsPolicy;
  private readonly longPolling: LongPollingSettings;
  /** Largest WebSocket message or POST body: several hub messages may share one. */
  private readonly maxUnitSize: number;
  private readonly limit: ConnectionLimit;

  constructor(
    readonly path: string,
    private readonly handler: ConnectionApplication,
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
    this.longPolling = { options, heartbeat: handler.heartbeat };
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
    // The app's own CORS set-up runs first (it is middleware): where it allowed the origin, the hub's stays out.
    if (this.cors && !response.hasHeader('Access-Control-Allow-Origin')) {
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
        return this.handleDelete(request, response, query);
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
    const owner = { user: auth.user, userIdentifier: auth.userId };
    const connection = this.connectionManager.create(version, this.handler.heartbeat.now, owner, statefulReconnect);
    sendJson(response, writeNegotiateResponse(version, connection, this.transports));
  }

  // ---- transports ---------------------------------------------------------

  /** `GET {path}?id=`: opens an event stream, or polls. */
  private async handleGet(request: IncomingMessage, response: ServerResponse, query: URLSearchParams) {
    const type = acceptsEventStream(request) ? HttpTransportType.ServerSentEvents : HttpTransportType.LongPolling;
    if (type === HttpTransportType.LongPolling) setNoCacheHeaders(response);
    const token = query.get('id');
    let auth: Authenticated | undefined;
    // The request that starts a connection is authenticated; on a hub that requires it, every one is.
    if (this.authenticator.required || this.lookup(token, type) === NEGOTIATED) {
      const result = await this.authenticateStart(request, query, token);
      if (!result.ok) return sendText(response, 401, 'Unauthorized');
      auth = result;
    }
    const foreign = this.refuseForeign(auth, token);
    if (foreign) return sendText(response, foreign.status, foreign.body);
    // Another request may have started the connection meanwhile.
    const found = this.lookup(token, type);
    if (found !== NEGOTIATED) return this.continueGet(found, response);

    const { connectionId } = this.connectionManager.claim(token!)!;
    const transport =
      type === HttpTransportType.ServerSentEvents
        ? new ServerSentEventsTransport(response, this.handler.options.transportMaxBufferSize)
        : new LongPollingTransport(this.longPolling, response);
    this.startConnection(request, token!, connectionId, transport, auth!);
  }

  /** A GET for a started connection: one more poll, if its transport takes polls. */
  private continueGet(found: Refusal | Transport, response: ServerResponse): void {
    if (found instanceof Refusal) sendText(response, found.status, found.body);
    else if (found.poll) found.poll(response);
    else sendText(response, 409);
  }

  /** `POST {path}?id=`: client output for an SSE or long-polling connection, streamed into it. */
  private async handleSend(request: IncomingMessage, response: ServerResponse, query: URLSearchParams) {
    const auth = await this.authenticateLater(request, query);
    const token = query.get('id');
    const refusal = auth?.ok === false ? UNAUTHORIZED : this.refuseForeign(auth, token);
    if (refusal) {
      request.resume();
      return sendText(response, refusal.status, refusal.body);
    }
    const connection = token ? this.active.get(token) : undefined;
    const transport = connection?.transport;
    const input = transport?.input;
    if (!connection || !input || !transport.receiving) {
      request.resume();
      if (!token) return sendText(response, 400, 'Connection ID required');
      if (transport && !input)
        return sendText(response, 405, 'POST requests are not allowed for WebSocket connections.');
      // A connection that has ended, or has no transport yet, takes no input.
      if (transport || this.connectionManager.has(token)) return sendText(response, 404);
      return sendText(response, 404, 'No Connection with that ID');
    }
    if (Number(request.headers['content-length']) > this.maxUnitSize) {
      return this.refuseBody(request, response, connection);
    }
    const done = () => input.done(request);
    request.once('close', done);
    input.add(request, () => this.readBody(request, response, connection, done));
  }

  /** Streams one POST body into the connection (its turn has come). */
  private readBody(
    request: IncomingMessage,
    response: ServerResponse,
    receiver: ApplicationConnection,
    done: () => void,
  ): void {
    let received = 0;
    // A receiver of whole messages (a connection handler) gets the body at once.
    const chunks: Buffer[] | undefined = receiver.receivesWholeMessages ? [] : undefined;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > this.maxUnitSize) {
        request.off('data', onData);
        this.refuseBody(request, response, receiver);
        done();
      } else if (chunks) {
        chunks.push(chunk);
      } else {
        receiver.receive(chunk);
      }
    };
    request.on('data', onData);
    request.once('end', () => {
      if (chunks && received <= this.maxUnitSize) receiver.receive(Buffer.concat(chunks), isBinaryBody(request));
      if (!response.headersSent) sendText(response, 200);
      done();
    });
    // The client went away mid-body (ASP.NET Core answers 400).
    request.once('error', () => {
      if (!response.headersSent) sendText(response, 400);
    });
  }

  /** A body larger than a WebSocket message may be: 413, and the connection closes as over WebSockets. */
  private refuseBody(request: IncomingMessage, response: ServerResponse, connection: ApplicationConnection): void {
    request.resume();
    response.setHeader('Connection', 'close');
    sendText(response, 413, `The request body is larger than ${this.maxUnitSize} bytes.`);
    const maxMessageSize = this.handler.options.maximumReceiveMessageSize;
    connection.transportFailed(
      Number.isFinite(maxMessageSize)
        ? maxMessageSizeExceeded(maxMessageSize)
        : new HubProtocolError(`The request body is larger than ${this.maxUnitSize} bytes.`),
    );
  }

  /** `DELETE {path}?id=`: the long-polling client stops. */
  private async handleDelete(request: IncomingMessage, response: ServerResponse, query: URLSearchParams) {
    const auth = await this.authenticateLater(request, query);
    const token = query.get('id');
    const refusal = auth?.ok === false ? UNAUTHORIZED : this.refuseForeign(auth, token);
    if (refusal) return sendText(response, refusal.status, refusal.body);
    if (!token) return sendText(response, 400, 'Connection ID required');
    const transport = this.active.get(token)?.transport;
    if (!transport && !this.connectionManager.has(token)) return sendText(response, 404, 'No Connection with that ID');
    if (!transport?.terminate) {
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
    } else if (!this.authenticator.required) {
      // Hopeless requests are answered before they cost an authentication (where it comes first, after).
      const found = this.lookup(token, type);
      if (found instanceof Refusal) return rejectUpgrade(socket, found.status, found.body);
    }

    // A negotiated connection is counted until its transport claims it; a new one while it authenticates.
    const checking = this.authenticateStart(request, query, token);
    const auth = await (token ? checking : this.limit.admitting(checking));
    if (!auth.ok) return rejectUpgrade(socket, 401, 'Unauthorized');
    const foreign = this.refuseForeign(auth, token);
    if (foreign) return rejectUpgrade(socket, foreign.status, foreign.body);
    let connectionId: string;
    let statefulReconnect = false;
    if (token) {
      let current = this.lookup(token, type);
      if (current !== NEGOTIATED && !(current instanceof Refusal)) {
        const dropped = current;
        if (await dropped.whenReplaceable!()) return this.resume(request, socket, head, token, dropped, auth);
        current = this.lookup(token, type); // it ended meanwhile
      }
      if (current instanceof Refusal) return rejectUpgrade(socket, current.status, current.body);
      if (current !== NEGOTIATED) return rejectUpgrade(socket, 409, '');
      ({ connectionId, statefulReconnect } = this.connectionManager.claim(token)!);
    } else {
      connectionId = this.connectionManager.newId();
    }

    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      // Past this point the socket speaks WebSocket: a fault closes it with 1011, never an HTTP status.
      try {
        this.startConnection(request, token, connectionId, new WebSocketTransport(webSocket), auth, statefulReconnect);
      } catch (error) {
        logger.error('Setting up a WebSocket connection failed.', (error as Error)?.stack);
        webSocket.close(INTERNAL_ERROR, 'An unexpected error occurred while setting up the connection.');
      }
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
    dropped: Transport,
    auth: Authenticated,
  ): void {
    const connection = this.active.get(token)!;
    if (connection.transport !== dropped) return rejectUpgrade(socket, 409, '');
    // Only the connection's own user may take it over (with a fresh token, say).
    const refusal = this.refuseOwner(auth, connection);
    if (refusal) return rejectUpgrade(socket, refusal.status, refusal.body);
    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const transport = new WebSocketTransport(webSocket);
      // The connection keeps its user; its authentication now expires with the new request's.
      connection.reconnect!(transport, auth.expiresAt);
      transport.start(connection, () => this.release(token, transport));
    });
  }

  /**
   * Finds the connection of a transport request, checking in ASP.NET Core's
   * order: id present, connection known, transport enabled, same transport
   * as before, not already active (long polling may poll again, and a
   * WebSocket that dropped may be replaced by a stateful reconnect).
   */
  private lookup(token: string | null, type: HttpTransportType): Refusal | Transport | typeof NEGOTIATED {
    if (!token) return new Refusal(400, 'Connection ID required');
    const transport = this.active.get(token)?.transport;
    if (!transport && !this.connectionManager.has(token)) return new Refusal(404, 'No Connection with that ID');
    if (!(this.transports & type)) return new Refusal(404, notSupported(type));
    if (!transport) return NEGOTIATED;
    if (transport.type !== type) return new Refusal(400, 'Cannot change transports mid-connection');
    return transport.joinable ? transport : new Refusal(409);
  }

  /**
   * Authenticates the request that starts a connection. A fault (a throwing
   * `userIdProvider`) drops the negotiation too, so that it holds no slot of
   * the connection limit; a refusal leaves it, for the client's retry with a
   * fresh token.
   */
  private async authenticateStart(
    request: IncomingMessage,
    query: URLSearchParams,
    token: string | null,
  ): Promise<AuthenticationResult> {
    try {
      return await this.authenticator.check(request, query);
    } catch (error) {
      if (token) this.connectionManager.claim(token);
      throw error;
    }
  }

  /**
   * On a hub that requires authentication, a connection's later requests
   * (sends, polls, DELETE) are authenticated as its first was, as ASP.NET Core
   * authorizes every endpoint of such a hub. Undefined on other hubs, where
   * the secret token suffices.
   */
  private async authenticateLater(
    request: IncomingMessage,
    query: URLSearchParams,
  ): Promise<AuthenticationResult | undefined> {
    return this.authenticator.required ? this.authenticator.check(request, query) : undefined;
  }

  /**
   * On a hub that requires authentication, a request for a connection of
   * another user is refused before anything else is looked at.
   */
  private refuseForeign(auth: AuthenticationResult | undefined, token: string | null): Refusal | undefined {
    if (!auth?.ok || !token || !this.authenticator.required) return undefined;
    return this.refuseOwner(auth, this.active.get(token) ?? this.connectionManager.get(token));
  }

  /** A request of another user than the connection's may not act for it. */
  private refuseOwner(auth: Authenticated, owner: ConnectionOwner | undefined): Refusal | undefined {
    if (owner === undefined) return undefined;
    const status = ownerRefusal(auth, owner);
    return status === 401 ? UNAUTHORIZED : status === 403 ? FORBIDDEN : undefined;
  }

  /**
   * The one way every transport starts: the connection is built whole, then
   * the transport starts feeding it. Without a token (negotiation skipped)
   * nothing else will look the connection up.
   */
  private startConnection(
    request: IncomingMessage,
    token: string | null,
    connectionId: string,
    transport: Transport,
    auth: Authenticated,
    statefulReconnectAllowed = false,
  ): void {
    const connection = this.handler.openConnection({
      connectionId,
      transport,
      request: new ConnectionRequest(request),
      user: auth.user,
      userIdentifier: auth.userId,
      authenticationExpiresAt: auth.expiresAt,
      statefulReconnectAllowed,
    });
    if (token) this.active.set(token, connection);
    try {
      transport.start(connection, token ? () => this.release(token, transport) : noRelease);
    } catch (error) {
      // A transport that cannot start leaves nothing behind; the caller answers as the transport allows.
      if (token) this.active.delete(token);
      connection.transportClosed(error as Error);
      throw error;
    }
  }

  /** The close hook of every transport: its token stops answering. */
  private release(token: string, transport: Transport): void {
    if (this.active.get(token)?.transport === transport) this.active.delete(token);
  }

  close(): void {
    this.handler.close();
    // Shutdown: long-polling clients that are not polling now will not be.
    for (const connection of this.active.values()) connection.transport.terminate?.();
    this.webSockets.close();
  }
}

function noRelease(): void {}

function notSupported(type: HttpTransportType): string {
  return `${HttpTransportType[type]} transport not supported by this end point type`;
}

/** The official clients post binary messages as `application/octet-stream`, text as `text/plain`. */
function isBinaryBody(request: IncomingMessage): boolean {
  return request.headers['content-type']?.toLowerCase().startsWith('application/octet-stream') ?? false;
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
