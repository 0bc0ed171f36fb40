import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the adapter found a request to be, before the framework routed it. */
export interface HubRequest<T> {
  endpoint: T;
  /** The request is for the endpoint's negotiate path. */
  negotiate: boolean;
  query: URLSearchParams;
  /** The request's content type, kept from the app's body parsers until the hub reads the body. */
  contentType?: string;
}

const HUB_REQUEST = Symbol('nest-signalr hub request');

type Tagged<T> = IncomingMessage & { [HUB_REQUEST]?: HubRequest<T> };

/**
 * Marks a request as the hub's, so that the route mounted in the framework
 * serves it. The body of a send is the connection's input, streamed into it
 * (and a body on negotiate is drained and ignored): the app's body parsers
 * (Nest's own JSON and URL-encoded ones, say) must not read it first, and
 * they leave alone a request without a content type, so its type is set
 * aside until the hub gets the request.
 */
export function tagHubRequest<T>(request: IncomingMessage, hubRequest: HubRequest<T>): void {
  const contentType = request.headers['content-type'];
  if (contentType !== undefined) {
    hubRequest.contentType = contentType;
    delete request.headers['content-type'];
  }
  (request as Tagged<T>)[HUB_REQUEST] = hubRequest;
}

function untag<T>(request: IncomingMessage): HubRequest<T> | undefined {
  const hubRequest = (request as Tagged<T>)[HUB_REQUEST];
  if (hubRequest?.contentType !== undefined) request.headers['content-type'] = hubRequest.contentType;
  return hubRequest;
}

type Serve<T> = (hubRequest: HubRequest<T>, request: IncomingMessage, response: ServerResponse) => void;

/** The parts of Nest's HTTP adapter this file uses. */
interface HttpAdapterLike {
  getType(): string;
  getInstance<I>(): I;
}

interface ExpressLike {
  use(handler: (request: IncomingMessage, response: ServerResponse, next: () => void) => void): void;
}

interface FastifyRequestLike {
  raw: IncomingMessage;
}
interface FastifyReplyLike {
  raw: ServerResponse;
  getHeaders(): Record<string, number | string | string[] | undefined>;
  hijack(): void;
  callNotFound(): void;
}
interface FastifyLike {
  register(plugin: (instance: FastifyLike, options: unknown, done: () => void) => void): void;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    parser: (request: unknown, payload: unknown, done: (error: null) => void) => void,
  ): void;
  all(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => void): void;
}

/**
 * Serves hub requests inside the app's framework, so that they pass through
 * the app's middleware and CORS set-up like any Nest route (ASP.NET Core runs
 * middleware before `MapHub` endpoints): on Express a handler after all
 * middleware and routes registered so far (call this once Nest has registered
 * them), on Fastify routes at the hubs' paths, with no body parsing (bodies are
 * streamed into the connection). The adapter tags hub requests before the
 * framework sees them; an untagged request never reaches these handlers.
 * Returns false for other frameworks: the adapter then serves hub requests itself.
 */
export function mountHubRoutes<T>(httpAdapter: HttpAdapterLike, paths: string[], serve: Serve<T>): boolean {
  switch (httpAdapter.getType()) {
    case 'express':
      httpAdapter.getInstance<ExpressLike>().use((request, response, next) => {
        const hubRequest = untag<T>(request);
        if (hubRequest) serve(hubRequest, request, response);
        else next();
      });
      return true;
    case 'fastify':
      httpAdapter.getInstance<FastifyLike>().register((instance, _options, done) => {
        // Only here: the bodies of sends stay unread until the connection reads them.
        instance.removeAllContentTypeParsers();
        instance.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
        const handler = (request: FastifyRequestLike, reply: FastifyReplyLike) => {
          const hubRequest = untag<T>(request.raw);
          if (!hubRequest) return reply.callNotFound();
          // Headers the app's hooks set on the reply (CORS, say) go out with the hub's answer.
          for (const [name, value] of Object.entries(reply.getHeaders())) {
            if (value !== undefined) reply.raw.setHeader(name, value);
          }
          reply.hijack();
          serve(hubRequest, request.raw, reply.raw);
        };
        for (const path of paths) {
          instance.all(path, handler);
          instance.all(`${path === '/' ? '' : path}/negotiate`, handler);
        }
        done();
      });
      return true;
    default:
      return false;
  }
}
