import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { from, isObservable, mergeMap, type Observable } from 'rxjs';
import { fromAsyncIterable, isAsyncIterable } from './async-iterable-observable.js';
import { HubInvocationContext } from './hub-invocation-context.js';

type Method = (...args: unknown[]) => unknown;

/** A streaming method returned something that is neither an AsyncIterable nor an Observable. */
export class NotAStreamError extends Error {
  override readonly name = 'NotAStreamError';
}

/**
 * The invocation, as one extra argument after the method's own: how the
 * wrapper below learns which connection its stream writes to.
 */
const InvocationArgument = createParamDecorator((_data: unknown, context: ExecutionContext): unknown =>
  context.getArgByIndex(2),
);

/**
 * Makes a streaming hub method return an Observable when Nest calls it, so
 * that interceptors see its items (`next.handle().pipe(map(...))`) whether it
 * is an `async *` method or returns an Observable. Nest's pipeline would pass
 * an async generator on as one value. The wrapper takes one hidden argument,
 * the invocation, bound here at `argumentIndex`; called from anywhere else
 * (a unit test, another method), the method behaves as written.
 */
export function toStreamingMethod(
  target: object,
  methodKey: string | symbol,
  method: Method,
  argumentIndex: number,
): Method {
  InvocationArgument()(target, methodKey, argumentIndex);
  const streamingMethod = function (this: unknown, ...args: unknown[]): unknown {
    const invocation = args[argumentIndex];
    if (!(invocation instanceof HubInvocationContext)) return method.apply(this, args);
    args.length = argumentIndex;
    return toStream(method.apply(this, args), invocation);
  };
  // Nest finds the method's parameter types by its name, and its enhancers
  // (guards, interceptors...) by metadata on the function itself.
  Object.defineProperty(streamingMethod, 'name', { value: method.name });
  for (const key of Reflect.getOwnMetadataKeys(method)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, method), streamingMethod);
  }
  return streamingMethod;
}

function toStream(result: unknown, invocation: HubInvocationContext): Observable<unknown> {
  if (isObservable(result)) {
    invocation.streamOpened = true;
    return result;
  }
  if (isAsyncIterable(result)) {
    invocation.streamOpened = true;
    return fromAsyncIterable(result, invocation.connection);
  }
  if (result instanceof Promise) {
    return from(result).pipe(mergeMap((value) => toStream(value, invocation)));
  }
  throw new NotAStreamError();
}
