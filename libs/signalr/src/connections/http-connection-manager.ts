import type { HeartbeatListener } from './heartbeat.js';
import { newConnectionId } from './connection-ids.js';

/** A connection that negotiate created and no transport has claimed yet. */
export interface NegotiatedConnection {
  readonly connectionId: string;
  readonly connectionToken: string;
  readonly createdAt: number;
  /** The principal negotiate authenticated, if any, and its user id. */
  readonly user: unknown;
  readonly userIdentifier: string | undefined;
  /** Negotiate agreed to stateful reconnect (the hub allows it and the client asked). */
  readonly statefulReconnect: boolean;
}

/**
 * Connections between negotiate and their transport, keyed by the secret
 * connection token (the public connection id is what other users may see).
 * Unclaimed ones expire after the disconnect timeout, so abandoned
 * negotiations never accumulate.
 */
export class HttpConnectionManager implements HeartbeatListener {
  private readonly negotiated = new Map<string, NegotiatedConnection>();

  /** `newId` makes public connection ids (the lifetime manager's: a backplane may tag them). */
  constructor(
    private readonly disconnectTimeout: number,
    readonly newId: () => string = newConnectionId,
  ) {}

  /** Negotiate v1 gives a token distinct from the id; v0 uses the id as token. */
  create(
    negotiateVersion: number,
    now: number,
    owner: { user: unknown; userIdentifier: string | undefined },
    statefulReconnect = false,
  ): NegotiatedConnection {
    const connectionId = this.newId();
    const connectionToken = negotiateVersion > 0 ? newConnectionId() : connectionId;
    const { user, userIdentifier } = owner;
    const connection = { connectionId, connectionToken, createdAt: now, user, userIdentifier, statefulReconnect };
    this.negotiated.set(connectionToken, connection);
    return connection;
  }

  /** Whether a negotiated connection waits for its transport under this token. */
  has(connectionToken: string): boolean {
    return this.negotiated.has(connectionToken);
  }

  /** The negotiated connection waiting under this token, left in place. */
  get(connectionToken: string): NegotiatedConnection | undefined {
    return this.negotiated.get(connectionToken);
  }

  /** Hands a negotiated connection to its transport, once. */
  claim(connectionToken: string): NegotiatedConnection | undefined {
    const connection = this.negotiated.get(connectionToken);
    if (connection) this.negotiated.delete(connectionToken);
    return connection;
  }

  get size(): number {
    return this.negotiated.size;
  }

  onHeartbeat(now: number): void {
    for (const [token, connection] of this.negotiated) {
      if (now - connection.createdAt >= this.disconnectTimeout) this.negotiated.delete(token);
    }
  }
}
