import type { Logger } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import type { ResolvedHubOptions } from '../interfaces/hub-options.interface.js';
import {
  type CompletionMessage,
  type InvocationMessage,
  MessageType,
  type StreamInvocationMessage,
} from '../protocol/hub-message.js';
import type { HubConnectionContext } from './hub-connection-context.js';
import { HubErrors, buildErrorMessage, isGuardDenial } from './hub-error-messages.js';
import { HubInvocationContext } from './hub-invocation-context.js';
import type { HubMethodDescriptor } from './hub-method-descriptor.js';

/** A Nest message handler as the adapter receives it. */
export interface NestMessageHandler {
  message: unknown;
  callback: (...args: unknown[]) => unknown;
}

interface BoundHubMethod {
  readonly descriptor: HubMethodDescriptor;
  /** Index of the method's handler in every connection's handler list. */
  readonly index: number;
}

/**
 * Finds the hub method an invocation targets, runs it through Nest's handler
 * pipeline (guards, interceptors, pipes, filters) and answers with a
 * Completion (ASP.NET Core's DefaultHubDispatcher).
 */
export class HubDispatcher {
  private methods?: Map<string, BoundHubMethod>;

  constructor(
    private readonly descriptors: readonly HubMethodDescriptor[],
    private readonly options: ResolvedHubOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Nest gives each connection its own handlers (bound to it), always in the
   * same order, so the name → index table is built once per hub.
   */
  bindHandlers(connection: HubConnectionContext, handlers: readonly NestMessageHandler[]): void {
    this.methods ??= this.buildMethodTable(handlers);
    connection.handlers = handlers;
  }

  private buildMethodTable(handlers: readonly NestMessageHandler[]): Map<string, BoundHubMethod> {
    const byName = new Map(this.descriptors.map((descriptor) => [descriptor.name, descriptor]));
    const table = new Map<string, BoundHubMethod>();
    handlers.forEach((handler, index) => {
      const descriptor = byName.get(String(handler.message));
      if (!descriptor) return;
      const key = descriptor.name.toLowerCase();
      if (table.has(key)) {
        throw new Error(`Duplicate definitions of '${descriptor.name}'. Hub method names are case-insensitive.`);
      }
      table.set(key, { descriptor, index });
    });
    return table;
  }

  onInvocation(connection: HubConnectionContext, message: InvocationMessage): void {
    const { target, invocationId } = message;
    const method = this.methods?.get(target.toLowerCase());
    if (!method) {
      this.completeWithError(connection, invocationId, HubErrors.methodDoesNotExist(target));
      return;
    }
    if (method.descriptor.streaming) {
      this.completeWithError(connection, invocationId, HubErrors.streamingWithInvoke(target));
      return;
    }
    if (!this.argumentsMatch(connection, method.descriptor, message)) return;

    if (connection.activeInvocations < this.options.maximumParallelInvocationsPerClient) {
      void this.invoke(connection, method, message);
    } else {
      (connection.waitingInvocations ??= []).push(() => void this.invoke(connection, method, message));
    }
  }

  onStreamInvocation(connection: HubConnectionContext, message: StreamInvocationMessage): void {
    const { target, invocationId } = message;
    const method = this.methods?.get(target.toLowerCase());
    if (!method) {
      this.completeWithError(connection, invocationId, HubErrors.methodDoesNotExist(target));
    } else if (!method.descriptor.streaming) {
      this.completeWithError(connection, invocationId, HubErrors.nonStreamingWithStream(target));
    } else {
      // Server-to-client streaming is not served yet.
      this.completeWithError(connection, invocationId, HubErrors.invocationFailed(target));
    }
  }

  private argumentsMatch(
    connection: HubConnectionContext,
    descriptor: HubMethodDescriptor,
    message: InvocationMessage | StreamInvocationMessage,
  ): boolean {
    const given = message.arguments.length;
    if (given === descriptor.parameterCount) return true;
    let text = HubErrors.bindingFailure(message.target);
    if (this.options.enableDetailedErrors) {
      text += ` InvalidDataException: ${HubErrors.argumentCount(given, descriptor.parameterCount)}`;
    }
    this.completeWithError(connection, message.invocationId, text);
    return false;
  }

  private async invoke(
    connection: HubConnectionContext,
    method: BoundHubMethod,
    message: InvocationMessage,
  ): Promise<void> {
    connection.activeInvocations++;
    const invocation = new HubInvocationContext(connection, message.target, message.invocationId);
    let result: unknown;
    try {
      result = await connection.handlers![method.index].callback(message.arguments, invocation);
      // With interceptors (or an Observable-returning method) the result is an
      // Observable that runs only when subscribed; its last value is the result.
      if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
    } catch (error) {
      // Only reached when an exception filter rethrows.
      invocation.fail(error);
    } finally {
      this.releaseSlot(connection);
    }

    if (invocation.failed) {
      this.onInvocationError(connection, invocation);
    } else if (message.invocationId !== undefined) {
      const completion: CompletionMessage = { type: MessageType.Completion, invocationId: message.invocationId };
      if (result !== undefined) completion.result = result;
      connection.writeMessage(completion);
    }
  }

  private releaseSlot(connection: HubConnectionContext): void {
    connection.activeInvocations--;
    const next = connection.waitingInvocations?.shift();
    if (next) next();
  }

  private onInvocationError(connection: HubConnectionContext, invocation: HubInvocationContext): void {
    const { error, target } = invocation;
    const text = isGuardDenial(error)
      ? HubErrors.unauthorized(target)
      : buildErrorMessage(HubErrors.invocationFailed(target), error, this.options.enableDetailedErrors);
    if (text === HubErrors.invocationFailed(target) || this.options.enableDetailedErrors) {
      // Unexpected errors are the app's to fix: log them like Nest does.
      this.logger.error(`Failed to invoke hub method '${target}'.`, (error as Error)?.stack ?? String(error));
    }
    this.completeWithError(connection, invocation.invocationId, text);
  }

  /** A non-blocking invocation (no id) never gets an answer, not even an error. */
  private completeWithError(connection: HubConnectionContext, invocationId: string | undefined, error: string): void {
    if (invocationId === undefined) return;
    connection.writeMessage({ type: MessageType.Completion, invocationId, error });
  }
}
