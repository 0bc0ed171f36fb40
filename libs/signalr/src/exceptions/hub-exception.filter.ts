import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HubInvocationContext } from '../hub/hub-invocation-context.js';
import { handlerExtraArgument } from '../nest/nest-internals.js';

/**
 * The last exception filter of every hub: it hands the error to the
 * invocation, and the dispatcher turns it into the client's Completion.
 * Filters of the app's own run before it, and may rethrow to change the error.
 */
@Catch()
export class HubExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const invocation: unknown = handlerExtraArgument(host);
    if (!(invocation instanceof HubInvocationContext)) throw exception;
    invocation.fail(exception);
  }
}
