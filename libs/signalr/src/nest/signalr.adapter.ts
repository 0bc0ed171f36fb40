import { type INestApplication, type INestApplicationContext, Logger, type Type } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { AbstractWsAdapter, type MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable } from 'rxjs';
import { type WebSocket, WebSocketServer } from 'ws';
import { rejectUpgrade, sendText } from '../connections/http-responses.js';
import { normalizeHubPath } from '../decorators/hub-path.js';
import { HubConnectionContext } from '../hub/hub-connection-context.js';
import { CONNECTION_HANDLER_GATEWAY_OPTION, HUB_GATEWAY_OPTION } from '../signalr.constants.js';
import { NormalClosingWebSocket } from '../transports/normal-closing-websocket.js';
import { ConnectionHandlerEndpoint } from './connection-handler-endpoint.js';
import { createConnectionHandlerEndpoint } from './connection-handler-endpoint.factory.js';
import { type HubRequest, mountHubRoutes, tagHubRequest } from './framework-routes.js';
import { createHubEndpoint } from './hub-endpoint.factory.js';
import { HubEndpoint } from './hub-endpoint.js';
import { HubRegistry } from './hub-registry.js';
import { applyGlobalEnhancersToGateways, hasGlobalEnhancers } from './nest-internals.js';
import { RouteTable } from './route-table.js';

type GatewayOptions = {
  path?: string;
  [HUB_GATEWAY_OPTION]?: Type;
  [CONNECTION_HANDLER_GATEWAY_OPTION]?: Type;
} & Record<string, unknown>;
/** What the connection layer serves at a path: a hub, or a connection handler. */
type Endpoint = HubEndpoint | ConnectionHandlerEndpoint;
type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Serves `@Hub` gateways with the SignalR protocol, `@ConnectionHandler`
 * providers with the same connection layer and no hub protocol, and plain
 * `@WebSocketGateway` gateways as `WsAdapter` does, on the app's own HTTP
 * server, routed by path.
 *
 * @example
 * app.useWebSocketAdapter(new SignalRAdapter(app));
 *
 * @publicApi
 */
export class SignalRAdapter extends AbstractWsAdapter {
  private readonly logger = new Logger(SignalRAdapter.name);
  /** Hubs and connection handlers; made with the first, when the module's options can be read. */
  private hubs?: RouteTable<Endpoint>;
  private readonly gateways = new Map<string, WebSocketServer>();
  /** Plain gateways get WsAdapter's own message handling. */
  private readonly gatewayAdapter: WsAdapter;
  private hubInstances = new Map<Type, object | undefined>();
  private detachFromHttpServer?: () => void;
  /** Hub requests go through the framework (its middleware, CORS) to routes mounted in it. */
  private servedByFramework = false;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
    this.gatewayAdapter = new WsAdapter(app);
    applyGlobalEnhancersToGateways(app);
  }

  create(port: number, options: GatewayOptions = {}): HubEndpoint | ConnectionHandlerEndpoint | WebSocketServer {
    const hub = options[HUB_GATEWAY_OPTION];
    const connectionHandler = options[CONNECTION_HANDLER_GATEWAY_OPTION];
    if (!hub && !connectionHandler) return this.createGatewayServer(port, options);
    const type = (hub ?? connectionHandler)!;
    if (port !== 0) throw new Error(`${type.name} must be served on the application's HTTP server (port 0).`);
    const registry = this.getRegistry();
    const endpoint = hub
      ? createHubEndpoint(
          hub,
          registry,
          () => this.getProviderInstance(hub),
          () => hasGlobalEnhancers(this.app),
        )
      : createConnectionHandlerEndpoint(type, registry.options, () => this.getProviderInstance(type));
    if (!this.hubs) {
      this.hubs = new RouteTable(registry.options.caseSensitivePaths ?? false);
      if (registry.options.appMiddleware !== false) registry.onModulesInitialized(() => this.mountOnFramework());
    }
    if (!this.hubs.add(endpoint.path, endpoint)) throw new Error(`Two hubs are mapped to '${endpoint.path}'.`);
    this.attachToHttpServer();
    return endpoint;
  }

  bindClientConnect(
    server: HubEndpoint | ConnectionHandlerEndpoint | WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    // A connection handler's connections go to its onConnected, not through Nest's gateway hooks.
    if (server instanceof ConnectionHandlerEndpoint) return;
    if (server instanceof HubEndpoint) {
      if (server.handler.nestConnect) throw new Error(`Only one @Hub class can serve '${server.path}'.`);
      server.handler.nestConnect = callback;
    } else {
      server.on('connection', callback);
    }
  }

  bindClientDisconnect(client: HubConnectionContext | WebSocket, callback: (reason?: unknown) => void): void {
    if (client instanceof HubConnectionContext) client.onNestDisconnect = callback;
    else client.once('close', callback);
  }

  bindMessageHandlers(
    client: HubConnectionContext | WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    if (client instanceof HubConnectionContext) client.handler.dispatcher.bindHandlers(client, handlers);
    else this.gatewayAdapter.bindMessageHandlers(client, handlers, transform);
  }

  /** Drops a client that connected while the app was still starting. */
  closeClient(client: HubConnectionContext | WebSocket): void {
    if (client instanceof HubConnectionContext) client.closeWithShutdown();
    else client.terminate();
  }

  async close(server: HubEndpoint | ConnectionHandlerEndpoint | WebSocketServer): Promise<void> {
    if (server instanceof HubEndpoint || server instanceof ConnectionHandlerEndpoint) {
      server.close();
      this.hubs?.delete(server.path);
      if (server instanceof HubEndpoint) this.getRegistry().endpoints.delete(server);
      return;
    }
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }

  async dispose(): Promise<void> {
    this.detachFromHttpServer?.();
    this.detachFromHttpServer = undefined;
    await this.gatewayAdapter.dispose();
  }

  private createGatewayServer(port: number, options: GatewayOptions): WebSocketServer {
    // Close frames carry a status code, as ASP.NET Core's do (unless the gateway brings its own class).
    const withCloseCodes = { WebSocket: NormalClosingWebSocket, ...options };
    if (port !== 0 || !this.httpServer) return this.gatewayAdapter.create(port, withCloseCodes) as WebSocketServer;
    const { path = '/', ...wsOptions } = withCloseCodes;
    const server = new WebSocketServer({ noServer: true, ...wsOptions });
    server.on('connection', (socket) => socket.on('error', (error) => this.logger.error(error)));
    this.gateways.set(normalizeHubPath(path), server);
    this.attachToHttpServer();
    return server;
  }

  private getRegistry(): HubRegistry {
    try {
      return this.app.get(HubRegistry, { strict: false });
    } catch {
      throw new Error('SignalRModule is not imported: add SignalRModule.forRoot() to the application module.');
    }
  }

  private getProviderInstance(hub: Type): object | undefined {
    if (!this.hubInstances.has(hub)) {
      let instance: object | undefined;
      try {
        instance = this.app.get(hub, { strict: false });
      } catch {
        instance = undefined; // request-scoped hubs have no single instance
      }
      this.hubInstances.set(hub, instance);
    }
    return this.hubInstances.get(hub);
  }

  /**
   * Mounts the hubs' routes in the app's framework, now that the app's
   * middleware and routes are in place (Express runs them in order).
   */
  private mountOnFramework(): void {
    const httpAdapter = (this.app as Partial<INestApplication>).getHttpAdapter?.();
    if (!httpAdapter || !this.hubs) return;
    const paths = [...this.hubs.endpoints()].map((endpoint) => endpoint.path);
    this.servedByFramework = mountHubRoutes(httpAdapter, paths, (hubRequest: HubRequest<Endpoint>, request, response) =>
      this.serveHubRequest(hubRequest, request, response),
    );
  }

  /**
   * Hubs answer plain HTTP too (negotiate and the HTTP transports). Requests
   * are matched here, before the framework routes them, so that hub paths
   * ignore case on every platform: hub requests are tagged and go on through
   * the framework (its middleware, then the routes mounted for hubs), or,
   * where no routes could be mounted, are served here; every other request
   * goes to the framework untouched.
   */
  private attachToHttpServer(): void {
    if (this.detachFromHttpServer) return;
    const server = this.httpServer as Server;
    const frameworkListeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    const onRequest = (request: IncomingMessage, response: ServerResponse) => {
      if (this.routeRequest(request, response)) return;
      for (const listener of frameworkListeners) listener.call(server, request, response);
    };
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.routeUpgrade(server, request, socket, head);
    server.on('request', onRequest);
    server.on('upgrade', onUpgrade);
    this.detachFromHttpServer = () => {
      server.off('request', onRequest);
      server.off('upgrade', onUpgrade);
      for (const listener of frameworkListeners) server.on('request', listener);
    };
  }

  private routeRequest(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.hubs?.size) return false;
    const { pathname, query } = splitUrl(request.url);
    const route = this.hubs.match(pathname);
    if (!route) return false;
    const { endpoint, negotiate } = route;
    const hubRequest = { endpoint, negotiate, query: new URLSearchParams(query) };
    if (!this.servedByFramework) {
      this.serveHubRequest(hubRequest, request, response);
      return true;
    }
    // The framework's router matches the hub's own spelling of the path.
    const canonical = negotiate ? `${endpoint.path === '/' ? '' : endpoint.path}/negotiate` : endpoint.path;
    if (pathname !== canonical || request.url!.length !== pathname.length + (query ? query.length + 1 : 0)) {
      request.url = query ? `${canonical}?${query}` : canonical;
    }
    tagHubRequest(request, hubRequest);
    return false;
  }

  private serveHubRequest(
    { endpoint, negotiate, query }: HubRequest<Endpoint>,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    endpoint.http.handleRequest(request, response, negotiate, query).catch((error: Error) => {
      this.logger.error(`Request to ${endpoint.path} failed.`, error.stack);
      if (!response.headersSent) sendText(response, 500);
    });
  }

  private routeUpgrade(server: Server, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { pathname, query } = splitUrl(request.url);
    const hub = this.hubs?.get(pathname);
    if (hub) {
      hub.http.handleUpgrade(request, socket, head, new URLSearchParams(query)).catch((error: Error) => {
        this.logger.error(`Upgrade of ${pathname} failed.`, error.stack);
        rejectUpgrade(socket, 500);
      });
      return;
    }
    const gateway = this.gateways.get(pathname);
    if (gateway) {
      gateway.handleUpgrade(request, socket, head, (ws) => gateway.emit('connection', ws, request));
      return;
    }
    // Leave the request to other upgrade listeners; answer only when there are none.
    if (server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404);
  }
}

function splitUrl(url = '/'): { pathname: string; query: string } {
  const queryStart = url.indexOf('?');
  let pathname = queryStart === -1 ? url : url.slice(0, queryStart);
  if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.slice(0, -1);
  return { pathname, query: queryStart === -1 ? '' : url.slice(queryStart + 1) };
}
