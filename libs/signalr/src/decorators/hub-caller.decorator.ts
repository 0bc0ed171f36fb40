import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HubCallerContext } from '../hub/hub-caller-context.js';

/**
 * Injects the `HubCallerContext` of the connection that invoked the method.
 *
 * @publicApi
 */
export const HubCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): HubCallerContext => context.switchToWs().getClient(),
);
