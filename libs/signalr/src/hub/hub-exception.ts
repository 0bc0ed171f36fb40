/**
 * An error whose message is meant for the client: thrown from a hub method,
 * its message reaches the caller even without `enableDetailedErrors`.
 */
export class HubException extends Error {
  override readonly name = 'HubException';
}
