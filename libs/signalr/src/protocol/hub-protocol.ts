import type { HubMessage } from './hub-message.js';
import type { TransferFormat } from './transfer-format.js';

/**
 * A hub protocol turns bytes into hub messages and back (ASP.NET Core's
 * IHubProtocol). Implementations frame their own output, so a written message
 * can be sent as is, alone or concatenated with others in one transport unit.
 */
export interface HubProtocol {
  /** The name a client asks for in its handshake (`json`, `messagepack`). */
  readonly name: string;
  readonly version: number;
  readonly transferFormat: TransferFormat;

  /**
   * Parses every complete message at the start of `input`, calling
   * `onMessage` for each in order, and returns how many bytes it consumed;
   * the rest is an incomplete message to be completed by later input.
   * When `onMessage` returns `false` the parser stops right after that
   * message and returns the bytes consumed so far: the connection applies
   * back-pressure (a full upload stream) and parses the rest later.
   * Throws a {@link HubProtocolError} on malformed input, or when a message
   * is larger than `maxMessageSize` bytes.
   */
  parseMessages(input: Buffer, maxMessageSize: number, onMessage: (message: HubMessage) => unknown): number;

  /** Serializes and frames one message. */
  writeMessage(message: HubMessage): Buffer;

  isVersionSupported(version: number): boolean;
}
