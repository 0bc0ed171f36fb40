import { Injectable } from '@nestjs/common';
import { type HubContext, InjectHubContext } from 'nest-signalr';
import { ChatHub } from './chat.hub.js';

/** Any provider can reach the hub's clients through its HubContext. */
@Injectable()
export class BroadcastService {
  constructor(@InjectHubContext(ChatHub) private readonly hub: HubContext) {}

  broadcast(message: string): Promise<void> {
    return this.hub.clients.all.send('ReceiveMessage', 'system', message);
  }
}
