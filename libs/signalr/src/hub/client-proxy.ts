/** Sends to the connections a selector picks (`clients.all`, `clients.group(name)`…). */
export abstract class ClientProxy {
  /** Invokes `method` on every selected connection, without waiting for answers. */
  abstract send(method: string, ...args: unknown[]): Promise<void>;
}

/** A proxy to exactly one connection, which can also ask it for a result. */
export abstract class SingleClientProxy extends ClientProxy {
  /**
   * Invokes `method` on the connection and resolves with the value its
   * handler returns (a client result), or rejects with its error.
   */
  abstract invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
}
