import { HubProtocolError } from './hub-protocol-error.js';
import { RECORD_SEPARATOR, RECORD_SEPARATOR_CHAR } from './text-message-format.js';

export interface HandshakeRequest {
  protocol: string;
  version: number;
}

export type HandshakeParseResult =
  { request: HandshakeRequest; consumed: number } | { request?: undefined; consumed: 0 };

/** Thrown when the handshake is larger than the maximum receive size. */
export class HandshakeTooLargeError extends Error {}

/**
 * The handshake is always JSON followed by 0x1E, whatever hub protocol it
 * selects, and the answer is JSON too.
 */
export const HandshakeProtocol = {
  parseRequest(input: Buffer, maxMessageSize: number): HandshakeParseResult {
    const end = input.indexOf(RECORD_SEPARATOR);
    if (end === -1) {
      if (input.length > maxMessageSize) throw new HandshakeTooLargeError();
      return { consumed: 0 };
    }
    if (end > maxMessageSize) throw new HandshakeTooLargeError();
    const text = input.toString('utf8', 0, end);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HubProtocolError('Error reading JSON.');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new HubProtocolError('Unexpected JSON Token Type. Expected a JSON Object.');
    }
    const { protocol, version } = json as Record<string, unknown>;
    if (protocol === undefined) {
      throw new HubProtocolError(`Missing required property 'protocol'. Message content: ${text}`);
    }
    if (version === undefined) {
      throw new HubProtocolError(`Missing required property 'version'. Message content: ${text}`);
    }
    if (typeof protocol !== 'string') {
      throw new HubProtocolError("Expected 'protocol' to be of type String.");
    }
    if (!Number.isInteger(version)) {
      throw new HubProtocolError("Expected 'version' to be of type Number.");
    }
    return { request: { protocol, version: version as number }, consumed: end + 1 };
  },

  /** `{}` followed by 0x1E, or `{"error":"…"}` followed by 0x1E. */
  writeResponse(error?: string): Buffer {
    return Buffer.from((error === undefined ? '{}' : JSON.stringify({ error })) + RECORD_SEPARATOR_CHAR);
  },
};
