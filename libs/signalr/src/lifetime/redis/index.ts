// `nest-signalr/redis`: the Redis backplane, a separate entry point so that
// apps without it never load ioredis.
export { redisBackplane, type RedisBackplaneOptions } from './redis-backplane.js';
export { RedisHubLifetimeManager } from './redis-hub-lifetime-manager.js';
export { RedisUnavailableError } from './redis-connections.js';
