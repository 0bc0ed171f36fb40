import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { setUp } from './app.setup';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  setUp(app);
  await app.listen(process.env.PORT ?? 3000);
}
bootstrap();
