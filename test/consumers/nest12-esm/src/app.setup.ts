import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { SignalRAdapter } from 'nest-signalr';
import { map, type Observable } from 'rxjs';

/** Refuses any hub invocation that passes "forbidden". */
class NoForbiddenWordGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.getType() !== 'ws' || !context.switchToWs().getData<unknown[]>().includes('forbidden');
  }
}

/** Wraps every hub result. */
class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return context.getType() === 'ws' ? next.handle().pipe(map((value) => ({ value }))) : next.handle();
  }
}

export function setUp(app: INestApplication): void {
  app.useWebSocketAdapter(new SignalRAdapter(app));
  app.useGlobalGuards(new NoForbiddenWordGuard());
  app.useGlobalInterceptors(new EnvelopeInterceptor());
}
