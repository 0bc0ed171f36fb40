import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type { HubLifetimeManagerFactory } from '../hub-lifetime-manager-factory.js';
import { scaleoutBackplane } from '../scaleout/scaleout-backplane.js';
import type { ScaleoutOptions } from '../scaleout/scaleout-node.js';
import { NatsBus } from './nats-bus.js';

/** Options of {@link natsBackplane}. */
export interface NatsBackplaneOptions extends ScaleoutOptions {
  /** Server URL(s), `nats://host:port`. Default: the client's, 127.0.0.1:4222. */
  servers?: string | string[];
  /**
   * Connection options of `@nats-io/transport-node` (credentials, tls,
   * reconnect timing…), applied over `servers`. The backplane reconnects for
   * ever, and asks the server not to echo its own messages.
   */
  nats?: NodeConnectionOptions;
}

/**
 * Scale-out on NATS core pub/sub, as `redisBackplane` on Redis: every
 * selector, group change, user and client result reaches connections on any
 * node. Each app opens one NATS connection shared by its hubs, closed at
 * shutdown. Delivery between nodes is at most once.
 *
 * @example
 * SignalRModule.forRoot({ backplane: natsBackplane({ servers: 'nats://127.0.0.1:4222', prefix: 'chat' }) })
 *
 * @publicApi
 */
export function natsBackplane(options: NatsBackplaneOptions = {}): HubLifetimeManagerFactory {
  return scaleoutBackplane(
    (nodeId) =>
      new NatsBus({ ...(options.servers === undefined ? {} : { servers: options.servers }), ...options.nats }, nodeId),
    options,
  );
}
