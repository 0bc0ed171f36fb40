import { existsSync } from 'node:fs';

/**
 * Tests that need a service a fresh machine may lack skip with a message
 * naming it, unless REQUIRE_<SERVICE>=1 (as CI sets), where they fail instead.
 */
export function serviceAvailability(
  service: 'browser' | 'redis' | 'nats',
  available: boolean,
  missing: string,
): boolean {
  const required = process.env[`REQUIRE_${service.toUpperCase()}`] === '1';
  if (available) return true;
  if (required) throw new Error(`REQUIRE_${service.toUpperCase()}=1 but ${missing}`);
  console.warn(`Skipping ${service} tests: ${missing}`);
  return false;
}

/** Debian's chromium package, or CHROMIUM_PATH. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function browserAvailable(): boolean {
  return serviceAvailability(
    'browser',
    existsSync(chromiumPath),
    `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

/** Flags for headless Chromium on a closed network, as root. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
