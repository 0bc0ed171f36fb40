import {
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Observable } from 'rxjs';
import { Hub, HubAbortSignal, HubMethod, SignalRModule } from 'nest-signalr';

/** Counts a method's starts (resources taken) and clean-ups, and lets a test await the n-th clean-up. */
export class CleanupCounter {
  started = 0;
  count = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  record(): void {
    this.count++;
    for (const waiter of this.waiters.filter((w) => w.count <= this.count)) waiter.resolve();
    this.waiters = this.waiters.filter((w) => w.count > this.count);
  }

  reached(count: number): Promise<void> {
    if (this.count >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** A guard that decides a turn later: the pipeline resolves after the message that follows. */
@Injectable()
export class SlowGuard implements CanActivate {
  async canActivate(): Promise<boolean> {
    await nextTurn();
    return true;
  }
}

/** An interceptor that takes a turn before it hands the stream on. */
@Injectable()
export class SlowInterceptor implements NestInterceptor {
  async intercept(_context: ExecutionContext, next: CallHandler) {
    await nextTurn();
    return next.handle();
  }
}

/** An endless Observable whose teardown is counted. */
function endless(cleanups: CleanupCounter): Observable<number> {
  return new Observable<number>((subscriber) => {
    cleanups.started++;
    let n = 0;
    const timer = setInterval(() => subscriber.next(n++), 1);
    return () => {
      clearInterval(timer);
      cleanups.record();
    };
  });
}

@Hub('/cancellation')
export class CancellationHub {
  readonly cleanups = {
    observable: new CleanupCounter(),
    generator: new CleanupCounter(),
    guarded: new CleanupCounter(),
    intercepted: new CleanupCounter(),
    signal: new CleanupCounter(),
  };
  /** Signals seen aborted by the time the method body started. */
  abortedOnEntry = 0;

  @HubMethod() observable(): Observable<number> {
    return endless(this.cleanups.observable);
  }

  @HubMethod() async *generator() {
    this.cleanups.generator.started++;
    try {
      for (let n = 0; ; n++) {
        yield n;
        await nextTurn();
      }
    } finally {
      this.cleanups.generator.record();
    }
  }

  @UseGuards(SlowGuard)
  @HubMethod()
  guarded(): Observable<number> {
    return endless(this.cleanups.guarded);
  }

  @UseInterceptors(SlowInterceptor)
  @HubMethod()
  intercepted(): Observable<number> {
    return endless(this.cleanups.intercepted);
  }

  /** Waits on something other than its consumer: only the signal can end it. */
  @HubMethod() async *waitsForSignal(@HubAbortSignal() signal: AbortSignal) {
    if (signal.aborted) this.abortedOnEntry++;
    this.cleanups.signal.started++;
    try {
      await new Promise((resolve) => {
        if (signal.aborted) resolve(undefined);
        signal.addEventListener('abort', resolve, { once: true });
      });
      yield 'never reached by a cancelled client';
    } finally {
      this.cleanups.signal.record();
    }
  }

  @HubMethod() async *finite(count: number) {
    for (let n = 0; n < count; n++) yield n;
  }
}

@Module({
  imports: [SignalRModule.forRoot()],
  providers: [CancellationHub, SlowGuard, SlowInterceptor],
})
export class CancellationModule {}
