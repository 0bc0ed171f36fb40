import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';

const NOTHING_ATTACHED: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Properties a request has before any middleware touches it (Node's own), and
 * those Express sets on every request it routes: neither is something the
 * app's middleware attached.
 */
let ownRequestKeys: Set<string> | undefined;
const FRAMEWORK_KEYS = [
  // Node, on upgrade requests
  'parser',
  // Express
  'res',
  'next',
  'baseUrl',
  'originalUrl',
  'params',
  'query',
  'route',
  'body',
  // Fastify's middleware runner (@fastify/middie)
  'id',
  'hostname',
  'ip',
  'ips',
  'log',
  'protocol',
];

/**
 * The HTTP request that opened a connection (ASP.NET Core's
 * `Context.GetHttpContext().Request`), as hub methods (`ctx.request`), guards,
 * interceptors and connection handlers (`connection.request`) see it: the
 * WebSocket upgrade, the Server-Sent Events GET, or the first long poll.
 *
 * It is a snapshot, kept for as long as the connection lives: the method, URL,
 * header record, remote address and what the app's middleware attached are
 * taken when the connection opens (the request itself is not kept); the query
 * and cookies are parsed on first use.
 *
 * @publicApi
 */
export class ConnectionRequest {
  /** The HTTP method: GET for the requests that open connections. */
  readonly method: string;
  /** The request target, path and query, as the client sent it. */
  readonly url: string;
  /** Node's header record: lower-case names; repeated headers joined (`set-cookie` an array). */
  readonly headers: Readonly<IncomingHttpHeaders>;
  /** The peer's IP address (of the proxy, behind one: see `headers['x-forwarded-for']`). */
  readonly remoteAddress: string | undefined;
  /**
   * What the app's middleware attached to the request object before the hub
   * got it (say `session`, `user`, `cookies` from `cookie-parser`): the
   * Express `req`, or under Fastify the raw request that Nest middleware
   * sees. Empty for WebSocket upgrades, which no middleware runs on.
   */
  readonly attached: Readonly<Record<string, unknown>>;
  private parsedQuery?: URLSearchParams;
  private parsedCookies?: Readonly<Record<string, string>>;

  constructor(request: IncomingMessage) {
    this.method = request.method ?? 'GET';
    this.url = request.url ?? '/';
    this.headers = request.headers;
    this.remoteAddress = request.socket?.remoteAddress;
    this.attached = attachedBy(request);
  }

  /** The URL's path, without the query. */
  get path(): string {
    const queryStart = this.url.indexOf('?');
    return queryStart === -1 ? this.url : this.url.slice(0, queryStart);
  }

  /** The query string (the connection token `id` and any values the client added). */
  get query(): URLSearchParams {
    if (this.parsedQuery === undefined) {
      const queryStart = this.url.indexOf('?');
      this.parsedQuery = new URLSearchParams(queryStart === -1 ? '' : this.url.slice(queryStart + 1));
    }
    return this.parsedQuery;
  }

  /** The `Cookie` header's cookies by name (the first of repeated names), values URL-decoded. */
  get cookies(): Readonly<Record<string, string>> {
    return (this.parsedCookies ??= parseCookies(this.headers.cookie));
  }
}

function attachedBy(request: IncomingMessage): Readonly<Record<string, unknown>> {
  let attached: Record<string, unknown> | undefined;
  ownRequestKeys ??= new Set([...Object.keys(new IncomingMessage(new Socket())), ...FRAMEWORK_KEYS]);
  for (const key of Object.keys(request)) {
    if (key.startsWith('_') || ownRequestKeys.has(key)) continue;
    (attached ??= {})[key] = (request as unknown as Record<string, unknown>)[key];
  }
  return attached === undefined ? NOTHING_ATTACHED : Object.freeze(attached);
}

function parseCookies(header: string | undefined): Readonly<Record<string, string>> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals === -1) continue;
    const name = pair.slice(0, equals).trim();
    if (name === '' || name in cookies) continue;
    let value = pair.slice(equals + 1).trim();
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    cookies[name] = decodeCookieValue(value);
  }
  return cookies;
}

function decodeCookieValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // not percent-encoded after all: as sent
  }
}
