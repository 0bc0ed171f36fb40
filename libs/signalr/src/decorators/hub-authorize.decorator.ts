import type { Type } from '@nestjs/common';
import type { HubOptions } from '../interfaces/hub-options.interface.js';
import { HUB_AUTHORIZE_METADATA } from '../signalr.constants.js';

/**
 * Only authenticated clients may connect to this hub: an anonymous negotiate
 * or connect request gets 401 (ASP.NET Core's `[Authorize]` on a hub class).
 * The same as the hub option `requireAuthentication: true`.
 *
 * A Nest guard on the hub class cannot do this: guards run around message
 * handlers, once per invocation, while a connection is accepted or refused
 * at negotiate and at the transport request, before Nest sees it. Guards
 * stay the way to authorize each hub method.
 *
 * @example
 * ＠HubAuthorize()
 * ＠Hub('/admin')
 * export class AdminHub {}
 *
 * @publicApi
 */
export function HubAuthorize(): ClassDecorator {
  return (target) => Reflect.defineMetadata(HUB_AUTHORIZE_METADATA, true, target);
}

/** The options `@HubAuthorize()` adds to a hub's own. */
export function hubAuthorizeOptions(hub: Type): HubOptions | undefined {
  return Reflect.getMetadata(HUB_AUTHORIZE_METADATA, hub) ? { requireAuthentication: true } : undefined;
}
