import { NestFactory } from '@nestjs/core';
import { SignalRAdapter } from 'nest-signalr';
import { DemoModule } from './demo.module.js';

async function bootstrap() {
  const app = await NestFactory.create(DemoModule);
  app.useWebSocketAdapter(new SignalRAdapter(app));
  await app.listen(process.env.PORT ?? 5000);
}
await bootstrap();
