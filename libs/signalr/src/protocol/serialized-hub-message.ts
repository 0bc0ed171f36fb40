import type { HubMessage } from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';

/**
 * A message to many connections, serialized lazily at most once per protocol
 * however many connections receive it (ASP.NET Core's SerializedHubMessage).
 * A message that another server serialized (through a backplane) has only
 * bytes, one entry per protocol, and no message object.
 */
export class SerializedHubMessage {
  private firstProtocol?: HubProtocol;
  private firstBytes?: Buffer;
  private others?: Map<HubProtocol, Buffer>;

  constructor(readonly message: HubMessage | undefined) {}

  static fromBytes(message: HubMessage | undefined, protocol: HubProtocol, bytes: Buffer): SerializedHubMessage {
    const serialized = new SerializedHubMessage(message);
    serialized.firstProtocol = protocol;
    serialized.firstBytes = bytes;
    return serialized;
  }

  /** Adds the bytes another server wrote for `protocol`. */
  addBytes(protocol: HubProtocol, bytes: Buffer): void {
    if (this.firstProtocol === undefined) {
      this.firstProtocol = protocol;
      this.firstBytes = bytes;
    } else if (this.firstProtocol !== protocol) {
      (this.others ??= new Map()).set(protocol, bytes);
    }
  }

  getBytes(protocol: HubProtocol): Buffer {
    if (this.firstProtocol === protocol) return this.firstBytes!;
    const cached = this.others?.get(protocol);
    if (cached) return cached;
    if (this.message === undefined) {
      throw new Error(
        'This message was received from another server that did not have the requested protocol available.',
      );
    }
    const bytes = protocol.writeMessage(this.message);
    if (this.firstProtocol === undefined) {
      this.firstProtocol = protocol;
      this.firstBytes = bytes;
    } else {
      (this.others ??= new Map()).set(protocol, bytes);
    }
    return bytes;
  }
}
