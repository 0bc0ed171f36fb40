import { Module } from '@nestjs/common';
import { WebSocketServer } from '@nestjs/websockets';
import {
  Hub,
  HubCaller,
  HubCallerContext,
  HubEndpoint,
  HubMethod,
  type OnHubConnected,
  type OnHubDisconnected,
  SignalRModule,
} from 'nest-signalr';

export const FRAGILE_LIMIT = 3;
/** The group every connection joins in onConnected, before the fault strikes. */
export const FRAGILE_GROUP = 'joined-before-the-fault';

/** Which set-up step fails now; a test arms one and disarms it after. */
export const faults = { onConnected: false };

/**
 * Tokens: `user:<id>` is a valid user; `throw:` makes `authenticate` throw;
 * `object-sub:` is validly authenticated but its `sub` is an object, on
 * which the app's `userIdProvider` throws.
 */
export function authenticate({ token }: { token: string | undefined }): unknown {
  if (!token) return undefined;
  const [kind, id] = token.split(':');
  if (kind === 'user') return { sub: id };
  if (kind === 'object-sub') return { sub: { id } };
  throw new Error('authenticate failed');
}

export function userIdProvider(user: unknown): string | undefined {
  const { sub } = user as { sub: unknown };
  if (typeof sub !== 'string') throw new TypeError('sub must be a string');
  return sub;
}

@Hub('/fragile', { maximumConcurrentConnections: FRAGILE_LIMIT, handshakeTimeout: 60_000 })
export class FragileHub implements OnHubConnected, OnHubDisconnected {
  @WebSocketServer() endpoint!: HubEndpoint;
  disconnected = 0;

  async onConnected(ctx: HubCallerContext) {
    await ctx.groups.add(ctx.connectionId, FRAGILE_GROUP);
    if (faults.onConnected) throw new Error('onConnected failed');
  }

  onDisconnected() {
    this.disconnected++;
  }

  @HubMethod() whoAmI(@HubCaller() ctx: HubCallerContext) {
    return ctx.userIdentifier ?? null;
  }
}

@Module({
  imports: [SignalRModule.forRoot({ authenticate, userIdProvider })],
  providers: [FragileHub],
})
export class FragileModule {}
