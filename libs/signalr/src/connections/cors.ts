import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HubCorsOptions } from '../interfaces/hub-cors-options.interface.js';

/** What the official client sends besides the CORS-safelisted headers. */
const SIGNALR_CLIENT_HEADERS = ['X-Requested-With', 'X-SignalR-User-Agent', 'Authorization', 'Content-Type'];
const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';

/**
 * The CORS policy of one hub's HTTP endpoints (the hub's `cors` option): the
 * hub answers preflights and adds the response headers itself. The app's own
 * CORS set-up (`app.enableCors()`) runs before it, as middleware; where that
 * allowed the origin, or answered the preflight, this policy stays out.
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly allowHeaders: string;

  constructor(private readonly options: HubCorsOptions) {
    const { origin } = options;
    this.anyOrigin = origin === true || origin === '*' || (Array.isArray(origin) && origin.includes('*'));
    this.allowHeaders = [...SIGNALR_CLIENT_HEADERS, ...(options.allowedHeaders ?? [])].join(', ');
  }

  /** Adds the headers that let the request's origin read the response; false when it may not. */
  apply(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    // With credentials the origin is echoed, so the answer depends on it.
    if (this.options.credentials || !this.anyOrigin) response.setHeader('Vary', 'Origin');
    if (origin === undefined || !this.allows(origin)) return false;
    if (this.options.credentials) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Credentials', 'true');
    } else {
      response.setHeader('Access-Control-Allow-Origin', this.anyOrigin ? '*' : origin);
    }
    return true;
  }

  /** Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`) with 204. */
  preflight(request: IncomingMessage, response: ServerResponse): void {
    if (this.apply(request, response)) {
      response.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      response.setHeader('Access-Control-Allow-Headers', this.allowHeaders);
      if (this.options.maxAge !== undefined) response.setHeader('Access-Control-Max-Age', String(this.options.maxAge));
    }
    response.writeHead(204, { 'Content-Length': 0 });
    response.end();
  }

  private allows(origin: string): boolean {
    const allowed = this.options.origin;
    if (this.anyOrigin) return true;
    if (typeof allowed === 'string') return allowed === origin;
    if (Array.isArray(allowed)) return allowed.includes(origin);
    if (typeof allowed === 'function') return allowed(origin);
    return false;
  }
}

export function isPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}
