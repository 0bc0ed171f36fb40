import { Injectable } from '@nestjs/common';
import { ModuleRef, ModulesContainer } from '@nestjs/core';
import { HUB_METADATA } from '../signalr.constants.js';
import { checkWebSocketAdapterOnFirstUse } from './nest-internals.js';
import { SignalRAdapter } from './signalr.adapter.js';

/**
 * Stops an app whose hubs would be served by another WebSocket adapter (or
 * by the Socket.IO one Nest loads when none is set) with an error that names
 * the missing line, instead of Nest's advice to install Socket.IO.
 */
@Injectable()
export class AdapterCheck {
  constructor(moduleRef: ModuleRef, modules: ModulesContainer) {
    checkWebSocketAdapterOnFirstUse(moduleRef, (adapter) => {
      if (adapter instanceof SignalRAdapter) return;
      const hubs = [...modules.values()].flatMap((module) =>
        [...module.providers.values()].filter(
          ({ metatype }) => metatype && Reflect.hasMetadata(HUB_METADATA, metatype),
        ),
      );
      if (hubs.length === 0) return;
      throw new Error(
        `Hub ${hubs[0].name} needs the SignalR adapter: call app.useWebSocketAdapter(new SignalRAdapter(app)) ` +
          'before app.listen() (or app.init()).',
      );
    });
  }
}
