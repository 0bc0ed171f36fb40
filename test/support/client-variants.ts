import { HttpTransportType } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import type { HubClientOptions } from './hub-client.js';

export interface ClientVariant {
  /** Shown in test names: "WebSockets/json". */
  name: string;
  options: HubClientOptions;
}

/**
 * The transports × protocols a suite runs over (`describe.each(CLIENT_VARIANTS)`).
 * Server-Sent Events are Text only: no MessagePack there.
 */
export const CLIENT_VARIANTS: ClientVariant[] = [
  { name: 'WebSockets/json', options: { transport: HttpTransportType.WebSockets } },
  {
    name: 'WebSockets/messagepack',
    options: { transport: HttpTransportType.WebSockets, protocol: new MessagePackHubProtocol() },
  },
  { name: 'ServerSentEvents/json', options: { transport: HttpTransportType.ServerSentEvents } },
  { name: 'LongPolling/json', options: { transport: HttpTransportType.LongPolling } },
  {
    name: 'LongPolling/messagepack',
    options: { transport: HttpTransportType.LongPolling, protocol: new MessagePackHubProtocol() },
  },
];
