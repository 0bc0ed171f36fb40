// `nest-signalr/redis`: the Redis backplanes, a separate entry point so that
// apps without them never load ioredis.
export { redisBackplane, type RedisBackplaneOptions } from './redis-backplane.js';
/** The scale-out lifetime manager, as a Redis backplane makes it. */
export { ScaleoutHubLifetimeManager as RedisHubLifetimeManager } from '../scaleout/scaleout-hub-lifetime-manager.js';
/** Operations that need Redis fail with it ("The Redis backplane is unavailable."). */
export { BackplaneUnavailableError as RedisUnavailableError } from '../scaleout/backplane-unavailable.error.js';
