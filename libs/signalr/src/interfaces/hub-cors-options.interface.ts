/**
 * Cross-origin access to a hub's HTTP endpoints (negotiate, Server-Sent
 * Events, long polling and their POST/DELETE requests), for browser clients
 * on another origin. WebSocket upgrades are not subject to CORS.
 */
export interface HubCorsOptions {
  /**
   * Origins allowed: `true` for any, an exact origin (`'https://app.example'`,
   * or `'*'` for any), a list of them, or a predicate. `false` allows none.
   */
  origin: boolean | string | string[] | ((origin: string) => boolean);
  /**
   * Let browsers send cookies and credentials: the allowed origin is echoed
   * instead of `*`. The official browser client sends credentials unless it is
   * built with `withCredentials: false`, so cross-origin clients need this on.
   * Default false.
   */
  credentials?: boolean;
  /**
   * Request headers allowed beyond those the SignalR client sends
   * (`X-Requested-With`, `X-SignalR-User-Agent`, `Authorization`, `Content-Type`).
   */
  allowedHeaders?: string[];
  /** How long browsers may cache a preflight answer, in seconds. */
  maxAge?: number;
}
