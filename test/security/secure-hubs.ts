import { Module } from '@nestjs/common';
import { WebSocketServer } from '@nestjs/websockets';
import { Hub, HubAuthorize, HubCaller, HubCallerContext, HubEndpoint, HubMethod, SignalRModule } from 'nest-signalr';
import { authenticateTestToken } from '../fixtures/security.hub.js';

class WhoAmI {
  @WebSocketServer() endpoint!: HubEndpoint;

  @HubMethod() whoAmI(@HubCaller() ctx: HubCallerContext) {
    return { userIdentifier: ctx.userIdentifier ?? null };
  }
  @HubMethod() echo(value: unknown) {
    return value;
  }
}

/** Authentication required by the decorator. */
@HubAuthorize()
@Hub('/authorized')
export class AuthorizedHub extends WhoAmI {}

/** Authentication required by the option. */
@Hub('/required', { requireAuthentication: true })
export class RequiredHub extends WhoAmI {}

/** Anonymous clients welcome: later requests rely on the secret connection token, as in ASP.NET Core. */
@Hub('/open')
export class OpenHub extends WhoAmI {}

/** Tokens as in `authenticateTestToken`: `user:<id>` is valid, anything else 401. */
@Module({
  imports: [SignalRModule.forRoot({ authenticate: authenticateTestToken })],
  providers: [AuthorizedHub, RequiredHub, OpenHub],
})
export class SecureHubsModule {}
