import { Logger, type Type } from '@nestjs/common';
import type { RedisOptions } from 'ioredis';
import type { HubMetadata } from '../../decorators/hub.decorator.js';
import { HUB_METADATA } from '../../signalr.constants.js';
import type { BackplaneScope, HubLifetimeManagerFactory } from '../hub-lifetime-manager-factory.js';
import { RedisConnections } from './redis-connections.js';
import { RedisHubLifetimeManager } from './redis-hub-lifetime-manager.js';

/** Options of {@link redisBackplane}. */
export interface RedisBackplaneOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). Default: ioredis's, 127.0.0.1:6379. */
  url?: string;
  /**
   * ioredis options (host, port, password, tls, retryStrategy…), applied over
   * `url`. The backplane itself turns off the offline queue and the resending
   * of commands: a message for other nodes is never held while Redis is down.
   */
  redis?: RedisOptions;
  /** First part of every channel name, so that several apps can share one Redis. Default `signalr`. */
  prefix?: string;
  /**
   * How long adding a connection of another node to a group (or removing it)
   * waits for that node's ack before it rejects. Default 30 000 (ASP.NET Core's).
   */
  groupAckTimeout?: number;
  /**
   * Publishes that may await Redis at once; beyond, messages for other nodes
   * are dropped rather than queued in memory. Default 10 000.
   */
  maxPendingPublishes?: number;
}

/**
 * Scale-out on Redis pub/sub: hubs served by several nodes behind a load
 * balancer (with sticky sessions for negotiate, as in ASP.NET Core) reach
 * every connection from any node. Each app opens one pair of Redis
 * connections shared by all its hubs, closed when the app shuts down.
 * Delivery between nodes is at most once (see `RedisHubLifetimeManager`).
 *
 * @example
 * SignalRModule.forRoot({ backplane: redisBackplane({ url: 'redis://127.0.0.1:6379', prefix: 'chat' }) })
 *
 * @publicApi
 */
export function redisBackplane(options: RedisBackplaneOptions = {}): HubLifetimeManagerFactory {
  const prefix = options.prefix ?? 'signalr';
  const groupAckTimeout = options.groupAckTimeout ?? 30_000;
  const maxPendingPublishes = options.maxPendingPublishes ?? 10_000;
  // One factory may serve several apps (a static forRoot() in tests): the
  // connections belong to the app, so they are kept by its scope.
  const connectionsOf = new WeakMap<BackplaneScope, RedisConnections>();

  return (hub: Type, scope: BackplaneScope) => {
    let connections = connectionsOf.get(scope);
    if (!connections) {
      const created = new RedisConnections(
        options.url,
        options.redis ?? {},
        maxPendingPublishes,
        new Logger('RedisBackplane'),
      );
      connectionsOf.set(scope, created);
      scope.onShutdown(() => created.close());
      connections = created;
    }
    const metadata: HubMetadata | undefined = Reflect.getMetadata(HUB_METADATA, hub);
    // The path identifies a hub across nodes (and is unique in an app).
    return new RedisHubLifetimeManager(metadata?.path ?? hub.name, connections, { prefix, groupAckTimeout });
  };
}
