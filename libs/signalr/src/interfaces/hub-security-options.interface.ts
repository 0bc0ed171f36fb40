/**
 * Options of a hub that protect the server from clients: how long an
 * authenticated connection may live, and what one client, or all of them,
 * may cost. Part of {@link HubOptions}.
 */
export interface HubSecurityOptions {
  /**
   * Close a connection when its authentication expires (ASP.NET Core's
   * `CloseOnAuthenticationExpiration`), checked on the heartbeat (about once
   * a second). The client gets `{"type":7,"allowReconnect":true}`, without an
   * error, so an official client with automatic reconnect comes back with a
   * fresh token. The expiry is the `expiresAt` of an `AuthenticationTicket`
   * that `authenticate` returned, else the principal's JWT-style `exp` claim
   * (seconds since the epoch); a principal with neither never expires.
   * Default false.
   */
  closeOnAuthenticationExpiration?: boolean;
  /**
   * Most bytes that may wait to be sent to one client: queued by the
   * connection plus held by its transport and not yet handed to the OS (a
   * WebSocket's `bufferedAmount`). A client that reads slower than the
   * server writes to it would otherwise make the server buffer without end.
   * When a write would go beyond this, the connection's queue is dropped and
   * it is closed with an error (`Connection closed with an error.`); other
   * clients are not held back. A single message larger than the limit is
   * still sent when nothing else is waiting. `Infinity` disables the limit.
   * Default 1 048 576 (1 MiB): 32 messages of the largest size a client may
   * send by default, or thousands of typical ones, on top of what the OS
   * buffers itself; a thousand stalled clients then cost at most 1 GiB.
   */
  maximumPendingBytes?: number;
  /**
   * Most connections this hub serves at once on this node, counting
   * negotiations that wait for their transport. Beyond it, negotiate and
   * connect requests get 503 with a text/plain reason. Default `Infinity`.
   */
  maximumConcurrentConnections?: number;
}
