import type { HubLifetimeManagerFactory } from '../hub-lifetime-manager-factory.js';
import type { InMemoryBroker } from './in-memory-bus.js';
import { scaleoutBackplane } from './scaleout-backplane.js';
import type { ScaleoutOptions } from './scaleout-node.js';

/**
 * Scale-out between apps of one process through an {@link InMemoryBroker}:
 * for tests of code that runs on several nodes, and the reference every
 * other backplane is checked against (test/backplane-specification).
 *
 * @example
 * const broker = new InMemoryBroker();
 * SignalRModule.forRoot({ backplane: inMemoryBackplane(broker) }) // in each app
 *
 * @publicApi
 */
export function inMemoryBackplane(broker: InMemoryBroker, options: ScaleoutOptions = {}): HubLifetimeManagerFactory {
  return scaleoutBackplane(() => broker.connect(), options);
}
