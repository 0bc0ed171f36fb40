import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Hub, HubCaller, HubCallerContext, HubMethod, SignalRModule } from 'nest-signalr';
import { map, type Observable } from 'rxjs';
import { connectHub } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';

/**
 * Hub methods without enhancers of their own are called directly, past Nest's
 * handler wrapper; global enhancers must still apply to them.
 */
@Hub('/plain')
class PlainHub {
  @HubMethod() echo(value: unknown) {
    return value;
  }
  @HubMethod() whoAmI(@HubCaller() ctx: HubCallerContext) {
    return ctx.connectionId;
  }
}

@Injectable()
class DenyKeywordGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToWs().getData<unknown[]>()[0] !== 'deny';
  }
}

class WrapInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => ({ wrapped: value })));
  }
}

@Module({ imports: [SignalRModule.forRoot()], providers: [PlainHub] })
class PlainModule {}

@Module({
  imports: [SignalRModule.forRoot()],
  providers: [PlainHub, { provide: APP_GUARD, useClass: DenyKeywordGuard }],
})
class AppGuardModule {}

describe('hub methods without enhancers of their own', () => {
  let server: RunningApp | undefined;
  afterEach(() => server?.close());

  it('run and bind the caller context when called directly', async () => {
    server = await startApp(PlainModule);
    const connection = await connectHub(`${server.url}/plain`);
    expect(await connection.invoke('Echo', { a: 1 })).toEqual({ a: 1 });
    expect(await connection.invoke('WhoAmI')).toBe(connection.connectionId);
    await connection.stop();
  });

  it('still see global interceptors (useGlobalInterceptors)', async () => {
    server = await startApp(PlainModule, 'express', (app) => app.useGlobalInterceptors(new WrapInterceptor()));
    const connection = await connectHub(`${server.url}/plain`);
    expect(await connection.invoke('Echo', 7)).toEqual({ wrapped: 7 });
    await connection.stop();
  });

  it('still see global guards (APP_GUARD)', async () => {
    server = await startApp(AppGuardModule);
    const connection = await connectHub(`${server.url}/plain`);
    expect(await connection.invoke('Echo', 'allow')).toBe('allow');
    await expect(connection.invoke('Echo', 'deny')).rejects.toThrow(
      "Failed to invoke 'Echo' because user is unauthorized",
    );
    await connection.stop();
  });
});
