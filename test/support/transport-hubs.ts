import { Module, type Type } from '@nestjs/common';
import { WebSocketServer } from '@nestjs/websockets';
import {
  Hub,
  HubCaller,
  HubCallerContext,
  type HubEndpoint,
  HubMethod,
  type HubOptions,
  HttpTransportType,
  SignalRModule,
} from 'nest-signalr';
import type { DefaultHubLifetimeManager } from '../../libs/signalr/src/lifetime/default-hub-lifetime-manager.js';

/** What one test hub saw: the transport of each connection, and the disconnects. */
export class ConnectionRecord {
  readonly transports: string[] = [];
  disconnected = 0;
  /** The error each ended connection ended with, if any. */
  readonly errors: (string | undefined)[] = [];
  hub?: { server: HubEndpoint };
  private waiters: { count: number; resolve: () => void }[] = [];

  connected(ctx: HubCallerContext): void {
    this.transports.push(HttpTransportType[ctx.transportType]);
  }

  disconnect(error?: Error): void {
    this.errors.push(error?.message);
    this.disconnected++;
    this.waiters = this.waiters.filter((waiter) => (this.disconnected >= waiter.count ? void waiter.resolve() : true));
  }

  /** Resolves once `count` connections in all have ended. */
  untilDisconnected(count: number): Promise<void> {
    if (this.disconnected >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** What the server still holds for this hub's connections. */
  state() {
    const endpoint = this.hub!.server;
    return {
      connections: endpoint.connectionCount,
      negotiated: endpoint.http.connectionManager.size,
      active: endpoint.http.activeConnectionCount,
      lifetime: (endpoint.context.lifetimeManager as DefaultHubLifetimeManager).connectionCount,
      /** The hub's handler and its negotiation table are always there. */
      heartbeatListeners: endpoint.handler.heartbeat.size,
    };
  }
}

/**
 * A hub at `path` with `options` that records its connections: `Send` tells
 * everyone which transport the sender uses, `Echo` answers, `Abort` closes
 * the caller from the server side.
 */
export function transportHub(path: string, options: HubOptions = {}): { hub: Type; record: ConnectionRecord } {
  const record = new ConnectionRecord();

  @Hub(path, options)
  class TransportHub {
    @WebSocketServer()
    server!: HubEndpoint;

    constructor() {
      record.hub = this;
    }

    @HubMethod('Send')
    async send(message: string, @HubCaller() ctx: HubCallerContext) {
      await ctx.clients.all.send('Receive', HttpTransportType[ctx.transportType], message);
    }

    @HubMethod('Echo')
    echo(value: unknown) {
      return value;
    }

    @HubMethod('Abort')
    abort(@HubCaller() ctx: HubCallerContext) {
      ctx.abort();
    }

    onConnected(ctx: HubCallerContext) {
      record.connected(ctx);
    }

    onDisconnected(_ctx: HubCallerContext, error?: Error) {
      record.disconnect(error);
    }
  }
  return { hub: TransportHub, record };
}

/** A module serving `hubs`, with `SignalRModule.forRoot(options)`. */
export function hubsModule(hubs: Type[], options: Parameters<typeof SignalRModule.forRoot>[0] = {}): Type {
  @Module({ imports: [SignalRModule.forRoot(options)], providers: hubs })
  class HubsModule {}
  return HubsModule;
}
