import { Injectable } from '@nestjs/common';
import { type HubContext, InjectHubContext } from 'nest-signalr';
import type { ChatClient } from './chat-client.js';
import { ChatHub } from './chat.hub.js';

/** Any provider can reach the hub's clients through its HubContext. */
@Injectable()
export class BroadcastService {
  constructor(@InjectHubContext(ChatHub) private readonly hub: HubContext<ChatHub, ChatClient>) {}

  broadcast(message: string): Promise<void> {
    return this.hub.clients.all.receiveMessage('system', message);
  }
}
