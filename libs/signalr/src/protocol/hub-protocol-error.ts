/**
 * Malformed input from a client: the connection that sent it is closed with
 * an error (ASP.NET Core throws InvalidDataException in the same places).
 */
export class HubProtocolError extends Error {
  override readonly name = 'InvalidDataException';
}

export function maxMessageSizeExceeded(maxMessageSize: number): HubProtocolError {
  return new HubProtocolError(
    `The maximum message size of ${maxMessageSize}B was exceeded. The message size can be configured in AddHubOptions.`,
  );
}
