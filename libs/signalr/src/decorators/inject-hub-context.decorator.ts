import { Inject, type Type } from '@nestjs/common';
import { getHubContextToken, registerHub } from '../nest/known-hubs.js';

/**
 * Injects the `HubContext` of a hub into any provider, to send to its clients
 * from outside the hub.
 *
 * @example
 * constructor(＠InjectHubContext(ChatHub) private readonly hub: HubContext) {}
 *
 * @publicApi
 */
export function InjectHubContext(hub: Type): PropertyDecorator & ParameterDecorator {
  registerHub(hub);
  return Inject(getHubContextToken(hub));
}
