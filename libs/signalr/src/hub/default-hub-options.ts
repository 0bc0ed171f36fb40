import type { HubOptions, ResolvedHubOptions } from '../interfaces/hub-options.interface.js';
import { ALL_TRANSPORTS } from '../transports/http-transport-type.js';
import { toClientMethodWireNames } from './client-methods.js';
import { DEFAULT_SECURITY_OPTIONS, validateSecurityOptions } from './default-security-options.js';

export const DEFAULT_HUB_OPTIONS: ResolvedHubOptions = {
  keepAliveInterval: 15_000,
  clientTimeoutInterval: 30_000,
  handshakeTimeout: 15_000,
  maximumReceiveMessageSize: 32_768,
  enableDetailedErrors: false,
  maximumParallelInvocationsPerClient: 1,
  streamBufferCapacity: 10,
  clientResultTimeout: 0,
  transports: ALL_TRANSPORTS,
  disconnectTimeout: 15_000,
  allowStatefulReconnects: false,
  statefulReconnectBufferSize: 100_000,
  pollTimeout: 90_000,
  transportMaxBufferSize: 1_048_576,
  requireAuthentication: false,
  ...DEFAULT_SECURITY_OPTIONS,
};

/** Hub options win over module options, which win over the defaults. */
export function resolveHubOptions(...layers: (HubOptions | undefined)[]): ResolvedHubOptions {
  const resolved: ResolvedHubOptions = { ...DEFAULT_HUB_OPTIONS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
    }
  }
  if (resolved.maximumReceiveMessageSize === null) {
    resolved.maximumReceiveMessageSize = Infinity;
  }
  if (!(resolved.maximumParallelInvocationsPerClient >= 1)) {
    throw new Error('maximumParallelInvocationsPerClient must be at least 1.');
  }
  if (!(resolved.streamBufferCapacity >= 1)) {
    throw new Error('streamBufferCapacity must be at least 1.');
  }
  if (!(resolved.clientResultTimeout >= 0)) {
    throw new Error('clientResultTimeout must be 0 (no timeout) or more.');
  }
  if (!(resolved.statefulReconnectBufferSize > 0)) {
    throw new Error('statefulReconnectBufferSize must be positive.');
  }
  if (resolved.clientMethodNames) {
    resolved.clientMethodNames = toClientMethodWireNames(resolved.clientMethodNames);
  }
  validateSecurityOptions(resolved);
  return resolved;
}
