import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HubCallerContext } from '../hub/hub-caller-context.js';

const hubCallerFactory = (_data: unknown, context: ExecutionContext): HubCallerContext =>
  context.switchToWs().getClient();

/** Whether a custom parameter decorator is `@HubCaller()`: the direct call binds it itself. */
export function isHubCallerFactory(factory: unknown): boolean {
  return factory === hubCallerFactory;
}

/**
 * Injects the `HubCallerContext` of the connection that invoked the method.
 *
 * @publicApi
 */
export const HubCaller = createParamDecorator(hubCallerFactory);
