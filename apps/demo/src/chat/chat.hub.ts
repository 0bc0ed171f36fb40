import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import {
  Hub,
  HubCaller,
  HubCallerContext,
  HubException,
  HubMethod,
  type OnHubConnected,
  type OnHubDisconnected,
} from 'nest-signalr';

/** The demo chat: everyone, groups, and direct messages to signed-in users. */
@Hub('/chatHub')
export class ChatHub implements OnHubConnected, OnHubDisconnected {
  private readonly logger = new Logger(ChatHub.name);

  @HubMethod('SendMessage')
  async sendMessage(user: string, message: string, @HubCaller() ctx: HubCallerContext) {
    await ctx.clients.all.send('ReceiveMessage', user, message);
  }

  @HubMethod('AddToGroup')
  async addToGroup(group: string, @HubCaller() ctx: HubCallerContext) {
    await ctx.groups.add(ctx.connectionId, group);
  }

  @HubMethod('RemoveFromGroup')
  async removeFromGroup(group: string, @HubCaller() ctx: HubCallerContext) {
    await ctx.groups.remove(ctx.connectionId, group);
  }

  @HubMethod('SendToGroup')
  async sendToGroup(group: string, user: string, message: string, @HubCaller() ctx: HubCallerContext) {
    await ctx.clients.group(group).send('ReceiveMessage', user, message);
  }

  @HubMethod('SendToUser')
  async sendToUser(userId: string, message: string, @HubCaller() ctx: HubCallerContext) {
    if (ctx.userIdentifier === undefined) {
      throw new HubException('Sign in to send direct messages.');
    }
    await ctx.clients.user(userId).send('ReceiveMessage', ctx.userIdentifier, message);
  }

  /** Streams 0..count-1, one every delayMs: `connection.stream('Counter', 10, 500)`. */
  @HubMethod('Counter')
  async *counter(count: number, delayMs: number) {
    for (let i = 0; i < count; i++) {
      yield i;
      await delay(delayMs);
    }
  }

  onConnected(ctx: HubCallerContext) {
    this.logger.log(`${ctx.connectionId} connected${ctx.userIdentifier ? ` as ${ctx.userIdentifier}` : ''}`);
  }

  onDisconnected(ctx: HubCallerContext, error?: Error) {
    this.logger.log(`${ctx.connectionId} disconnected${error ? `: ${error.message}` : ''}`);
  }
}
