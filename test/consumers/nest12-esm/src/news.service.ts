import { Injectable } from '@nestjs/common';
import { HubContext, InjectHubContext } from 'nest-signalr';
import { ChatHub } from './chat.hub.js';

@Injectable()
export class NewsService {
  constructor(@InjectHubContext(ChatHub) private readonly hub: HubContext) {}

  publish(room: string, text: string) {
    return this.hub.clients.group(room).send('news', text);
  }
}
