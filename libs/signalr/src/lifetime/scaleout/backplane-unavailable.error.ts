/**
 * A backplane operation that needs the broker (a group change, a client
 * result) could not reach it, or the broker did not answer within the
 * backplane's `timeout`. Named after the broker: `RedisUnavailableError`,
 * "The Redis backplane is unavailable.".
 */
export class BackplaneUnavailableError extends Error {
  constructor(readonly brokerName: string) {
    super(`The ${brokerName} backplane is unavailable.`);
    const words = brokerName.split(/[^A-Za-z]+/).filter(Boolean);
    this.name = `${words.map((word) => word[0].toUpperCase() + word.slice(1)).join('')}UnavailableError`;
  }
}
