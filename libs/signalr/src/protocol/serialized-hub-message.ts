import type { HubMessage } from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';

/**
 * A message to many connections, serialized lazily at most once per protocol
 * however many connections receive it (ASP.NET Core's SerializedHubMessage).
 */
export class SerializedHubMessage {
  private firstProtocol?: HubProtocol;
  private firstBytes?: Buffer;
  private others?: Map<HubProtocol, Buffer>;

  constructor(readonly message: HubMessage) {}

  static fromBytes(message: HubMessage, protocol: HubProtocol, bytes: Buffer): SerializedHubMessage {
    const serialized = new SerializedHubMessage(message);
    serialized.firstProtocol = protocol;
    serialized.firstBytes = bytes;
    return serialized;
  }

  getBytes(protocol: HubProtocol): Buffer {
    if (this.firstProtocol === protocol) return this.firstBytes!;
    if (this.firstProtocol === undefined) {
      this.firstProtocol = protocol;
      return (this.firstBytes = protocol.writeMessage(this.message));
    }
    this.others ??= new Map();
    let bytes = this.others.get(protocol);
    if (!bytes) {
      bytes = protocol.writeMessage(this.message);
      this.others.set(protocol, bytes);
    }
    return bytes;
  }
}
