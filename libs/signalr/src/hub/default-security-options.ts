import type { HubSecurityOptions } from '../interfaces/hub-security-options.interface.js';

export const DEFAULT_SECURITY_OPTIONS: Required<HubSecurityOptions> = {
  closeOnAuthenticationExpiration: false,
  maximumPendingBytes: 1_048_576,
  maximumConcurrentConnections: Infinity,
};

/** Refuses limits that would make every connection fail. */
export function validateSecurityOptions(options: Required<HubSecurityOptions>): void {
  if (!(options.maximumPendingBytes > 0)) throw new Error('maximumPendingBytes must be positive.');
  if (!(options.maximumConcurrentConnections >= 1)) {
    throw new Error('maximumConcurrentConnections must be at least 1.');
  }
}
