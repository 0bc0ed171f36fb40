import { Module } from '@nestjs/common';
import { SignalRModule } from 'nest-signalr';
import { ChatHub } from './chat.hub';
import { NewsService } from './news.service';

@Module({
  imports: [SignalRModule.forRoot()],
  providers: [ChatHub, NewsService],
})
export class AppModule {}
