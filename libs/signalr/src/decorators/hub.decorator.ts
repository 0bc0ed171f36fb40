import type { Type } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { HubExceptionFilter } from '../exceptions/hub-exception.filter.js';
import type { ClientMethodNames } from '../hub/client-methods.js';
import type { HubOptions } from '../interfaces/hub-options.interface.js';
import { HUB_GATEWAY_OPTION, HUB_METADATA } from '../signalr.constants.js';
import { registerHub } from '../nest/known-hubs.js';
import { addFirstExceptionFilter } from '../nest/nest-internals.js';
import { normalizeHubPath } from './hub-path.js';

/**
 * `@Hub()` options: the hub's options, with `clientMethodNames` checked
 * against the client interface when the hub declares one.
 */
export type HubDecoratorOptions<TClient = unknown> = Omit<HubOptions, 'clientMethodNames'> & {
  clientMethodNames?: unknown extends TClient ? HubOptions['clientMethodNames'] : ClientMethodNames<TClient>;
};

export interface HubMetadata {
  path: string;
  options: HubOptions;
}

const hubExceptionFilter = new HubExceptionFilter();

/**
 * Makes a class a SignalR hub served at `path` (a `@WebSocketGateway` that
 * `SignalRAdapter` serves with the SignalR protocol). `options` override the
 * module's hub options for this hub.
 *
 * `TClient` declares the interface of the methods the hub's clients
 * implement: it checks `clientMethodNames`, and `generate-client` reads it to
 * type the generated client's `on` handlers.
 *
 * @example
 * ＠Hub<ChatClient>('/chatHub')
 * export class ChatHub {}
 *
 * @publicApi
 */
export function Hub<TClient = unknown>(path: string, options: HubDecoratorOptions<TClient> = {}): ClassDecorator {
  return (target) => {
    const hubPath = normalizeHubPath(path);
    Reflect.defineMetadata(HUB_METADATA, { path: hubPath, options } satisfies HubMetadata, target);
    WebSocketGateway({ path: hubPath, [HUB_GATEWAY_OPTION]: target })(target);
    // The hub's filter goes first in the class's list, so that it runs last:
    // the app's own filters see every error before it.
    addFirstExceptionFilter(target, hubExceptionFilter);
    registerHub(target as unknown as Type);
  };
}
