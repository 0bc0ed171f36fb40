import type { RedisOptions } from 'ioredis';
import type { HubLifetimeManagerFactory } from '../hub-lifetime-manager-factory.js';
import { scaleoutBackplane } from '../scaleout/scaleout-backplane.js';
import type { ScaleoutOptions } from '../scaleout/scaleout-node.js';
import { RedisBus } from './redis-bus.js';

/** Options of {@link redisBackplane}. */
export interface RedisBackplaneOptions extends ScaleoutOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). Default: ioredis's, 127.0.0.1:6379. */
  url?: string;
  /**
   * ioredis options (host, port, password, tls, retryStrategy…), applied over
   * `url`. The backplane itself turns off the offline queue and the resending
   * of commands: a message for other nodes is never held while Redis is down.
   */
  redis?: RedisOptions;
}

/**
 * Scale-out on Redis pub/sub: hubs served by several nodes behind a load
 * balancer (with sticky sessions for negotiate, as in ASP.NET Core) reach
 * every connection from any node. Each app opens one pair of Redis
 * connections shared by all its hubs, closed when the app shuts down.
 * Delivery between nodes is at most once (see `ScaleoutHubLifetimeManager`).
 * For Redis Cluster, see `redisClusterBackplane`.
 *
 * @example
 * SignalRModule.forRoot({ backplane: redisBackplane({ url: 'redis://127.0.0.1:6379', prefix: 'chat' }) })
 *
 * @publicApi
 */
export function redisBackplane(options: RedisBackplaneOptions = {}): HubLifetimeManagerFactory {
  return scaleoutBackplane((nodeId) => new RedisBus(options.url, options.redis ?? {}, nodeId), options);
}
