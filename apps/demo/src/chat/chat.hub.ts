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
  UploadStream,
} from 'nest-signalr';
import type { ChatClient } from './chat-client.js';

/** A hub method's caller, with `clients` typed by what the chat's clients implement. */
type ChatCaller = HubCallerContext<ChatClient>;

/**
 * The demo chat: everyone, groups, and direct messages to signed-in users.
 * Its client is generated: `npm run generate:client` (apps/demo/src/page/browser/chat-hub.client.ts).
 */
@Hub<ChatClient>('/chatHub')
export class ChatHub implements OnHubConnected, OnHubDisconnected {
  private readonly logger = new Logger(ChatHub.name);

  @HubMethod('SendMessage')
  async sendMessage(user: string, message: string, @HubCaller() ctx: ChatCaller) {
    await ctx.clients.all.receiveMessage(user, message);
  }

  @HubMethod('AddToGroup')
  async addToGroup(group: string, @HubCaller() ctx: ChatCaller) {
    await ctx.groups.add(ctx.connectionId, group);
  }

  @HubMethod('RemoveFromGroup')
  async removeFromGroup(group: string, @HubCaller() ctx: ChatCaller) {
    await ctx.groups.remove(ctx.connectionId, group);
  }

  @HubMethod('SendToGroup')
  async sendToGroup(group: string, user: string, message: string, @HubCaller() ctx: ChatCaller) {
    await ctx.clients.group(group).receiveMessage(user, message);
  }

  @HubMethod('SendToUser')
  async sendToUser(userId: string, message: string, @HubCaller() ctx: ChatCaller) {
    if (ctx.userIdentifier === undefined) {
      throw new HubException('Sign in to send direct messages.');
    }
    await ctx.clients.user(userId).receiveMessage(ctx.userIdentifier, message);
  }

  /** Streams 0..count-1, one every delayMs: `connection.stream('Counter', 10, 500)`. */
  @HubMethod('Counter')
  async *counter(count: number, delayMs: number) {
    for (let i = 0; i < count; i++) {
      yield i;
      await delay(delayMs);
    }
  }

  /** Relays each message the client uploads to everyone; resolves with how many there were. */
  @HubMethod('UploadMessages')
  async uploadMessages(
    user: string,
    @UploadStream() messages: AsyncIterable<string>,
    @HubCaller() ctx: ChatCaller,
  ): Promise<number> {
    let count = 0;
    for await (const message of messages) {
      await ctx.clients.all.receiveMessage(user, message);
      count++;
    }
    return count;
  }

  onConnected(ctx: HubCallerContext) {
    this.logger.log(`${ctx.connectionId} connected${ctx.userIdentifier ? ` as ${ctx.userIdentifier}` : ''}`);
  }

  onDisconnected(ctx: HubCallerContext, error?: Error) {
    this.logger.log(`${ctx.connectionId} disconnected${error ? `: ${error.message}` : ''}`);
  }
}
