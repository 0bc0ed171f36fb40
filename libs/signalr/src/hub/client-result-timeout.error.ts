/**
 * A client did not answer a client-result invocation within the hub's
 * `clientResultTimeout`.
 *
 * @publicApi
 */
export class ClientResultTimeoutError extends Error {
  override readonly name = 'ClientResultTimeoutError';

  constructor(
    readonly connectionId: string,
    readonly method: string,
    readonly timeout: number,
  ) {
    super(`Connection '${connectionId}' did not return a result for '${method}' within ${timeout} ms.`);
  }
}
