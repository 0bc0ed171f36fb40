import { Module } from '@nestjs/common';
import { SignalRModule } from 'nest-signalr';
import { ChatHub } from './chat.hub.js';
import { NewsService } from './news.service.js';

@Module({
  imports: [SignalRModule.forRoot()],
  providers: [ChatHub, NewsService],
})
export class AppModule {}
