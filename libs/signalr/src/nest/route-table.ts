const NEGOTIATE_SUFFIX = '/negotiate';

/** What a request path reaches: an endpoint, at its own path or at its `/negotiate`. */
export interface RouteMatch<T> {
  endpoint: T;
  negotiate: boolean;
}

/**
 * Endpoints by path. Paths match without regard to case unless told
 * otherwise, as ASP.NET Core's routing does (`/CHATHUB/negotiate` reaches the
 * hub at `/chatHub`); `negotiate` likewise.
 */
export class RouteTable<T> {
  private readonly routes = new Map<string, T>();

  constructor(private readonly caseSensitive: boolean) {}

  get size(): number {
    return this.routes.size;
  }

  endpoints(): IterableIterator<T> {
    return this.routes.values();
  }

  /** Adds an endpoint; false when its path (as matched) is taken. */
  add(path: string, endpoint: T): boolean {
    const key = this.key(path);
    if (this.routes.has(key)) return false;
    this.routes.set(key, endpoint);
    return true;
  }

  delete(path: string): void {
    this.routes.delete(this.key(path));
  }

  /** The endpoint at exactly this path (a WebSocket upgrade). */
  get(pathname: string): T | undefined {
    return this.routes.size === 0 ? undefined : this.routes.get(this.key(pathname));
  }

  /** The endpoint a plain HTTP request reaches: its path, or its negotiate path. */
  match(pathname: string): RouteMatch<T> | undefined {
    if (this.routes.size === 0) return undefined;
    const key = this.key(pathname);
    const endpoint = this.routes.get(key);
    if (endpoint !== undefined) return { endpoint, negotiate: false };
    if (!key.endsWith(this.caseSensitive ? NEGOTIATE_SUFFIX : NEGOTIATE_SUFFIX.toLowerCase())) return undefined;
    const negotiated = this.routes.get(key.slice(0, -NEGOTIATE_SUFFIX.length));
    return negotiated === undefined ? undefined : { endpoint: negotiated, negotiate: true };
  }

  private key(path: string): string {
    return this.caseSensitive ? path : path.toLowerCase();
  }
}
