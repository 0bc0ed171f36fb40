// Socket.IO through a Nest gateway (@nestjs/platform-socket.io): @WebSocketGateway +
// @SubscribeMessage, the handler's return value is sent as the ack. Same events as
// socketio.ts.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { HOST } from '../common.js';
import { installControl, portArg, serverReady } from './control.js';

@WebSocketGateway({ transports: ['websocket'], serveClient: false, perMessageDeflate: false })
class BenchGateway {
  @WebSocketServer() server: Server;

  @SubscribeMessage('echo')
  echo(@MessageBody() payload: unknown): unknown {
    return payload;
  }

  @SubscribeMessage('broadcast')
  broadcast(@MessageBody() payload: unknown): void {
    this.server.emit('broadcast', payload);
  }

  @SubscribeMessage('joinGroup')
  async joinGroup(@MessageBody() name: string, @ConnectedSocket() client: Socket): Promise<boolean> {
    await client.join(name);
    return true;
  }

  @SubscribeMessage('sendToGroup')
  sendToGroup(@MessageBody() [name, payload]: [string, unknown]): void {
    this.server.to(name).emit('broadcast', payload);
  }
}

@Module({ providers: [BenchGateway] })
class BenchModule {}

async function main(): Promise<void> {
  installControl();
  const app = await NestFactory.create(BenchModule, { logger: false });
  app.useWebSocketAdapter(new IoAdapter(app));
  await app.listen(portArg(), HOST);
  const port = (app.getHttpServer().address() as { port: number }).port;
  serverReady(port);
  if (!process.send) console.log(`nest-socket.io bench server on ${HOST}:${port}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
