import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

@Controller('api')
export class AuthController {
  constructor(private readonly jwt: JwtService) {}

  /** A signed token for any user name: the demo has no passwords. */
  @Post('token')
  @HttpCode(200)
  async token(@Body() body: { user?: unknown }) {
    const user = typeof body?.user === 'string' ? body.user.trim() : '';
    if (!user) throw new BadRequestException('user is required');
    return { token: await this.jwt.signAsync({ sub: user }) };
  }
}
