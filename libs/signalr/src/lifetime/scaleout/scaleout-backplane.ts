import { Logger, type Type } from '@nestjs/common';
import type { HubMetadata } from '../../decorators/hub.decorator.js';
import { HUB_METADATA } from '../../signalr.constants.js';
import type { BackplaneScope, HubLifetimeManagerFactory } from '../hub-lifetime-manager-factory.js';
import type { BackplaneBus } from './backplane-bus.js';
import { newNodeId } from './node-ids.js';
import { ScaleoutHubLifetimeManager } from './scaleout-hub-lifetime-manager.js';
import { ScaleoutNode, type ScaleoutOptions } from './scaleout-node.js';

/**
 * The `backplane` option for any bus: each app gets one bus (from
 * `createBus`, when its first hub is assembled) shared by all its hubs, and
 * closed when the app shuts down. `redisBackplane`, `natsBackplane` and
 * `inMemoryBackplane` are this with their bus.
 *
 * @example
 * SignalRModule.forRoot({ backplane: scaleoutBackplane(() => new MyBus(), { prefix: 'chat' }) })
 *
 * @publicApi
 */
export function scaleoutBackplane(
  createBus: (nodeId: string) => BackplaneBus,
  options: ScaleoutOptions = {},
): HubLifetimeManagerFactory {
  // One factory may serve several apps (a static forRoot() in tests): the
  // bus belongs to the app, so it is kept by its scope.
  const nodes = new WeakMap<BackplaneScope, ScaleoutNode>();
  return (hub: Type, scope: BackplaneScope) => {
    let node = nodes.get(scope);
    if (!node) {
      const nodeId = newNodeId();
      const bus = createBus(nodeId);
      const created = new ScaleoutNode(nodeId, bus, options, new Logger(`${bus.brokerName}Backplane`));
      nodes.set(scope, created);
      scope.onShutdown(() => created.close());
      node = created;
    }
    const metadata: HubMetadata | undefined = Reflect.getMetadata(HUB_METADATA, hub);
    // The path identifies a hub across nodes (and is unique in an app).
    return new ScaleoutHubLifetimeManager(metadata?.path ?? hub.name, node);
  };
}
