import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { HubException } from './hub-exception.js';

/** What Nest's guard consumer throws when a guard returns false. */
const FORBIDDEN_RESOURCE = 'Forbidden resource';

/**
 * `message`, followed by the error's type and text when the client may see
 * them: always for a HubException, and for everything with detailed errors on
 * (ASP.NET Core's ErrorMessageHelper). Nest's own HttpException and
 * WsException carry client-facing messages by design, so they count as
 * HubExceptions (a ValidationPipe failure tells the client what is wrong).
 */
export function buildErrorMessage(message: string, error: unknown, detailedErrors: boolean): string {
  const visible = clientVisibleMessage(error);
  if (visible !== undefined) return `${message} ${visible}`;
  if (detailedErrors && error instanceof Error) return `${message} ${error.name}: ${error.message}`;
  return message;
}

function clientVisibleMessage(error: unknown): string | undefined {
  if (error instanceof HubException) return `HubException: ${error.message}`;
  if (error instanceof WsException) {
    const payload = error.getError();
    return `${error.constructor.name}: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}`;
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const detail =
      typeof response === 'object' && response !== null && 'message' in response
        ? (response as { message: unknown }).message
        : error.message;
    return `${error.constructor.name}: ${Array.isArray(detail) ? detail.join(', ') : String(detail)}`;
  }
  return undefined;
}

/** A guard said no (Nest throws `WsException('Forbidden resource')`). */
export function isGuardDenial(error: unknown): boolean {
  return error instanceof WsException && error.getError() === FORBIDDEN_RESOURCE;
}

export const HubErrors = {
  methodDoesNotExist: (target: string) =>
    `Failed to invoke '${target}' due to an error on the server. HubException: Method does not exist.`,
  bindingFailure: (target: string) => `Failed to invoke '${target}' due to an error on the server.`,
  argumentCount: (given: number, expected: number) =>
    `Invocation provides ${given} argument(s) but target expects ${expected}.`,
  invocationFailed: (target: string) => `An unexpected error occurred invoking '${target}' on the server.`,
  unauthorized: (target: string) => `Failed to invoke '${target}' because user is unauthorized`,
  streamingWithInvoke: (target: string) =>
    `The client attempted to invoke the streaming '${target}' method with a non-streaming invocation.`,
  nonStreamingWithStream: (target: string) =>
    `The client attempted to invoke the non-streaming '${target}' method with a streaming invocation.`,
  streamingFailed: 'An error occurred on the server while streaming results.',
  notAStream: (target: string) =>
    `The value returned by the streaming method '${target}' is not a ChannelReader<> or IAsyncEnumerable<>.`,
  streamCount: (given: number, expected: number) => `Client sent ${given} stream(s), Hub method expects ${expected}.`,
  invocationIdInUse: (id: string) => `Invocation ID '${id}' is already in use.`,
};
