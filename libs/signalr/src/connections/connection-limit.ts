import type { ConnectionApplication } from './connection-application.js';
import type { HttpConnectionManager } from './http-connection-manager.js';

/**
 * A hub's `maximumConcurrentConnections`: its open connections plus the
 * negotiations that wait for their transport (each will become one). A
 * request that would go beyond it gets 503 before anything is allocated for
 * it, authentication included, so that a flood costs as little as possible.
 */
export class ConnectionLimit {
  /** Requests past the check that have not yet become a connection (authenticating). */
  private starting = 0;

  constructor(
    private readonly maximum: number,
    private readonly handler: Pick<ConnectionApplication, 'connections'>,
    private readonly negotiated: HttpConnectionManager,
  ) {}

  /** Whether one more connection would be one too many. */
  get reached(): boolean {
    return this.handler.connections.size + this.negotiated.size + this.starting >= this.maximum;
  }

  /** Counts a request as a connection while `work` (its authentication) runs. */
  admitting<T>(work: Promise<T>): Promise<T> {
    this.starting++;
    return work.finally(() => this.starting--);
  }

  /** The text/plain body of the 503. */
  get refusal(): string {
    return `The hub has reached its limit of ${this.maximum} concurrent connections. Try again later.`;
  }
}
