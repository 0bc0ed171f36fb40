import { Module } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { SignalRModule } from 'nest-signalr';
import { AuthController } from './auth/auth.controller.js';
import { JWT_SECRET } from './auth/jwt-secret.js';
import { BroadcastService } from './chat/broadcast.service.js';
import { ChatController } from './chat/chat.controller.js';
import { ChatHub } from './chat/chat.hub.js';
import { EchoGateway } from './echo/echo.gateway.js';
import { PageController } from './page/page.controller.js';

@Module({
  imports: [
    JwtModule.register({ global: true, secret: JWT_SECRET, signOptions: { expiresIn: '12h' } }),
    SignalRModule.forRootAsync({
      inject: [JwtService],
      // No token: anonymous. A token that does not verify: 401.
      useFactory: (jwt: JwtService) => ({
        authenticate: ({ token }) => (token ? jwt.verify(token) : undefined),
      }),
    }),
  ],
  controllers: [AuthController, ChatController, PageController],
  providers: [ChatHub, BroadcastService, EchoGateway],
})
export class DemoModule {}
