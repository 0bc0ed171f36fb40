import { Module } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { SignalRModule } from 'nest-signalr';
import { natsBackplane } from 'nest-signalr/nats';
import { redisBackplane } from 'nest-signalr/redis';
import { AuthController } from './auth/auth.controller.js';
import { JWT_SECRET } from './auth/jwt-secret.js';
import { BroadcastService } from './chat/broadcast.service.js';
import { ChatController } from './chat/chat.controller.js';
import { ChatHub } from './chat/chat.hub.js';
import { EchoGateway } from './echo/echo.gateway.js';
import { EchoHandler } from './echo/echo.handler.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { PageController } from './page/page.controller.js';

@Module({
  imports: [
    JwtModule.register({ global: true, secret: JWT_SECRET, signOptions: { expiresIn: '12h' } }),
    SignalRModule.forRootAsync({
      inject: [JwtService],
      useFactory: (jwt: JwtService) => ({
        // No token: anonymous. A token that does not verify: 401.
        authenticate: ({ token }) => (token ? jwt.verify(token) : undefined),
        // With REDIS_URL (or NATS_URL), several demo nodes share one chat (scale-out).
        backplane: process.env.REDIS_URL
          ? redisBackplane({ url: process.env.REDIS_URL, prefix: process.env.REDIS_PREFIX ?? 'demo' })
          : process.env.NATS_URL
            ? natsBackplane({ servers: process.env.NATS_URL, prefix: process.env.NATS_PREFIX ?? 'demo' })
            : undefined,
      }),
    }),
  ],
  controllers: [AuthController, ChatController, MetricsController, PageController],
  providers: [MetricsService, ChatHub, BroadcastService, EchoGateway, EchoHandler],
})
export class DemoModule {}
