import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HubInvocationContext } from '../hub/hub-invocation-context.js';

/**
 * Injects the `AbortSignal` of a streaming hub method's invocation: it aborts
 * when the client cancels the stream or its connection ends (ASP.NET Core's
 * `CancellationToken` parameter). Pass it to what the method awaits, so that
 * a cancellation also ends a method that waits on something else than its
 * consumer. It is not an invocation argument.
 *
 * @example
 * ＠HubMethod()
 * async *prices(symbol: string, ＠HubAbortSignal() signal: AbortSignal) {
 *   for await (const price of feed.watch(symbol, { signal })) yield price;
 * }
 *
 * @publicApi
 */
export const HubAbortSignal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AbortSignal => (context.getArgByIndex(2) as HubInvocationContext).signal,
);
