import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HubCallerContext } from '../hub/hub-caller-context.js';

/** Exported so the dispatcher can recognise `@HubCaller()` parameters and bind them itself. */
export const hubCallerFactory = (_data: unknown, context: ExecutionContext): HubCallerContext =>
  context.switchToWs().getClient();

/**
 * Injects the `HubCallerContext` of the connection that invoked the method.
 *
 * @publicApi
 */
export const HubCaller = createParamDecorator(hubCallerFactory);
