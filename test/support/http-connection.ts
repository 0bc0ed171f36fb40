import { createRequire } from 'node:module';
import type { HttpConnection as HttpConnectionClass } from '@microsoft/signalr/dist/esm/HttpConnection.js';

/**
 * The official client's `HttpConnection`, the connection below
 * `HubConnection` (negotiate, transports, fallback; no hub protocol), which
 * connects to connection handlers. The package does not export it from its
 * entry point; its functional tests import it from the source the same way.
 */
export const HttpConnection: typeof HttpConnectionClass = createRequire(import.meta.url)(
  '@microsoft/signalr/dist/cjs/HttpConnection.js',
).HttpConnection;
export type HttpConnection = HttpConnectionClass;
