import { Module } from '@nestjs/common';
import { SignalrService } from './signalr.service.js';

@Module({
  providers: [SignalrService],
  exports: [SignalrService],
})
export class SignalrModule {}
