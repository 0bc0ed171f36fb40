import { HttpTransportType } from '@microsoft/signalr';
import type { HubClientOptions } from './hub-client.js';

export interface ClientVariant {
  /** Shown in test names: "WebSockets/json". */
  name: string;
  options: HubClientOptions;
}

/**
 * The transports × protocols a suite runs over (`describe.each(CLIENT_VARIANTS)`).
 * Add an entry when one lands: `{ name: 'LongPolling/json', options: { transport:
 * HttpTransportType.LongPolling } }`, `{ name: 'WebSockets/messagepack', options:
 * { transport: HttpTransportType.WebSockets, protocol: new MessagePackHubProtocol() } }`.
 */
export const CLIENT_VARIANTS: ClientVariant[] = [
  { name: 'WebSockets/json', options: { transport: HttpTransportType.WebSockets } },
];
