import type { HandshakeRequest } from '../protocol/handshake-protocol.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import { TransferFormat } from '../protocol/transfer-format.js';
import type { Transport } from '../transports/transport.js';

export type ProtocolSelection = { protocol: HubProtocol; error?: undefined } | { protocol?: undefined; error: string };

/** The hub protocols a hub accepts, chosen by name at the handshake. */
export class HubProtocolResolver {
  private readonly byName = new Map<string, HubProtocol>();

  constructor(protocols: readonly HubProtocol[], supportedNames?: readonly string[]) {
    const allowed = supportedNames?.map((name) => name.toLowerCase());
    for (const protocol of protocols) {
      const name = protocol.name.toLowerCase();
      if (!allowed || allowed.includes(name)) this.byName.set(name, protocol);
    }
  }

  get protocols(): HubProtocol[] {
    return [...this.byName.values()];
  }

  select(request: HandshakeRequest, transport: Transport): ProtocolSelection {
    const protocol = this.byName.get(request.protocol.toLowerCase());
    if (!protocol) return { error: `The protocol '${request.protocol}' is not supported.` };
    if (!protocol.isVersionSupported(request.version)) {
      return { error: `The server does not support version ${request.version} of the '${protocol.name}' protocol.` };
    }
    if (protocol.transferFormat === TransferFormat.Binary && !transport.supportsBinary) {
      return {
        error: `Cannot use the '${protocol.name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`,
      };
    }
    return { protocol };
  }
}
