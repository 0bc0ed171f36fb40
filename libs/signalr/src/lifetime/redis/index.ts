// `nest-signalr/redis`: the Redis backplanes, a separate entry point so that
// apps without them never load ioredis.
export { type RedisBackplaneOptions, redisBackplane } from './redis-backplane.js';
export { RedisBus } from './redis-bus.js';
export { ScaleoutHubLifetimeManager as RedisHubLifetimeManager } from '../scaleout/scaleout-hub-lifetime-manager.js';
/** Operations that need Redis fail with it ("The Redis backplane is unavailable."). */
export { BackplaneUnavailableError as RedisUnavailableError } from '../scaleout/backplane-unavailable.error.js';
