import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { BroadcastService } from './broadcast.service.js';

@Controller('api')
export class ChatController {
  constructor(private readonly broadcasts: BroadcastService) {}

  @Post('broadcast')
  @HttpCode(200)
  async broadcast(@Body() body: { message?: unknown }) {
    if (typeof body?.message !== 'string' || body.message === '') {
      throw new BadRequestException('message is required');
    }
    await this.broadcasts.broadcast(body.message);
    return { sent: true };
  }
}
