import type { Logger } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import type { ResolvedHubOptions } from '../interfaces/hub-options.interface.js';
import {
  type CompletionMessage,
  type InvocationMessage,
  MessageType,
  type StreamInvocationMessage,
} from '../protocol/hub-message.js';
import type { HubCallerContext } from './hub-caller-context.js';
import type { HubConnectionContext } from './hub-connection-context.js';
import { HubErrors, buildErrorMessage, isGuardDenial } from './hub-error-messages.js';
import { HubInvocationContext } from './hub-invocation-context.js';
import type { HubMethodDescriptor } from './hub-method-descriptor.js';
import { ServerStream } from './server-stream.js';
import { StreamTracker } from './stream-tracker.js';
import { NotAStreamError } from './streaming-method.js';
import type { UploadChannel } from './upload-channel.js';

/**
 * Invocations of one client that may wait for a slot (past
 * maximumParallelInvocationsPerClient) before its connection stops reading;
 * it reads again once half of them have run. Each holds its arguments (up to
 * maximumReceiveMessageSize), so this bounds what a flood of invocations costs.
 */
export const MAX_WAITING_INVOCATIONS = 256;

/** Calls a hub method with an invocation's arguments, for the connection that sent it, bypassing Nest's wrapper. */
export type DirectCall = (caller: HubCallerContext, args: unknown[]) => unknown;

/** A Nest message handler as the adapter receives it. */
export interface NestMessageHandler {
  message: unknown;
  callback: (...args: unknown[]) => unknown;
}

interface BoundHubMethod {
  readonly descriptor: HubMethodDescriptor;
  /** Index of the method's handler in every connection's handler list. */
  readonly index: number;
  /** Set when Nest's pipeline has nothing to do for this method: call it directly. */
  readonly direct?: DirectCall;
}

/**
 * Finds the hub method an invocation targets, runs it through Nest's handler
 * pipeline (guards, interceptors, pipes, filters) and answers with a
 * Completion, or with StreamItems then a Completion for a stream (ASP.NET
 * Core's DefaultHubDispatcher).
 */
export class HubDispatcher {
  private methods?: Map<string, BoundHubMethod>;

  constructor(
    private readonly descriptors: readonly HubMethodDescriptor[],
    private readonly options: ResolvedHubOptions,
    private readonly logger: Logger,
    /** Compiles a direct call for a method that needs nothing from Nest's pipeline. */
    private readonly compileDirectCall: (descriptor: HubMethodDescriptor) => DirectCall | undefined = () => undefined,
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
      table.set(key, { descriptor, index, direct: this.compileDirectCall(descriptor) });
    });
    return table;
  }

  /** Returns false when the connection should stop reading until invocations drain. */
  onInvocation(connection: HubConnectionContext, message: InvocationMessage): boolean | void {
    const method = this.bind(connection, message, false);
    if (!method) return;
    if (message.streamIds) {
      // Methods reading upload streams run outside the parallel-invocation
      // limit (as ASP.NET Core): they wait on the client, not on the server.
      const channels = this.openUploadStreams(connection, message, message.streamIds);
      if (channels) void this.invoke(connection, method, message, channels);
    } else if (connection.activeInvocations < this.options.maximumParallelInvocationsPerClient) {
      void this.invoke(connection, method, message);
    } else {
      const waiting = (connection.waitingInvocations ??= []);
      waiting.push(() => void this.invoke(connection, method, message));
      // ASP.NET Core stops reading while no slot is free; this reads ahead a
      // little, then stops, so a client cannot queue invocations without end.
      if (waiting.length >= MAX_WAITING_INVOCATIONS) return false;
    }
  }

  /** Streams run outside the parallel-invocation limit, as in ASP.NET Core. */
  onStreamInvocation(connection: HubConnectionContext, message: StreamInvocationMessage): void {
    const method = this.bind(connection, message, true);
    if (!method) return;
    const { invocationId, streamIds } = message;
    if (connection.serverStreams?.has(invocationId)) {
      this.completeWithError(connection, invocationId, HubErrors.invocationIdInUse(invocationId));
      return;
    }
    let uploads: ServerStream['uploads'];
    if (streamIds) {
      const channels = this.openUploadStreams(connection, message, streamIds);
      if (!channels) return;
      uploads = { ids: streamIds, channels };
    }
    void this.stream(connection, method, message, uploads);
  }

  /** The connection is gone: stop its streams, and fail the upload streams its methods still read. */
  onConnectionClosed(connection: HubConnectionContext): void {
    if (connection.serverStreams) {
      for (const stream of connection.serverStreams.values()) stream.cancel();
    }
    connection.uploadStreams?.completeAll(new Error('The underlying connection was closed.'));
  }

  /**
   * Finds the target and checks the shape of the call against it, answering
   * the client itself when they do not match.
   */
  private bind(
    connection: HubConnectionContext,
    message: InvocationMessage | StreamInvocationMessage,
    streaming: boolean,
  ): BoundHubMethod | undefined {
    const { target, invocationId } = message;
    const method = this.methods?.get(target.toLowerCase());
    let error: string | undefined;
    if (!method) {
      error = HubErrors.methodDoesNotExist(target);
    } else if (method.descriptor.streaming !== streaming) {
      error = streaming ? HubErrors.nonStreamingWithStream(target) : HubErrors.streamingWithInvoke(target);
    } else if (message.arguments.length !== method.descriptor.parameterCount) {
      error = HubErrors.bindingFailure(target);
      if (this.options.enableDetailedErrors) {
        error += ` InvalidDataException: ${HubErrors.argumentCount(message.arguments.length, method.descriptor.parameterCount)}`;
      }
    } else if ((message.streamIds?.length ?? 0) !== method.descriptor.streamParameterCount) {
      const count = HubErrors.streamCount(message.streamIds?.length ?? 0, method.descriptor.streamParameterCount);
      error = `${HubErrors.invocationFailed(target)} HubException: ${count}`;
    }
    if (error === undefined) return method;
    this.completeWithError(connection, invocationId, error);
    return undefined;
  }

  /** Channels for the client's upload streams; undefined (and answered) if an id is taken. */
  private openUploadStreams(
    connection: HubConnectionContext,
    message: InvocationMessage | StreamInvocationMessage,
    streamIds: readonly string[],
  ): UploadChannel[] | undefined {
    const tracker = (connection.uploadStreams ??= new StreamTracker(this.options.streamBufferCapacity, connection));
    const taken = tracker.findOpen(streamIds);
    if (taken !== undefined) {
      this.completeWithError(connection, message.invocationId, HubErrors.invocationIdInUse(taken));
      return undefined;
    }
    const channels = tracker.open(streamIds);
    // Upload streams follow the plain arguments, where @HubMethod bound the @UploadStream() parameters.
    message.arguments.push(...channels);
    return channels;
  }

  private async invoke(
    connection: HubConnectionContext,
    method: BoundHubMethod,
    message: InvocationMessage,
    channels?: UploadChannel[],
  ): Promise<void> {
    const invocation = new HubInvocationContext(connection, message.target, message.invocationId);
    if (!channels) {
      connection.activeInvocations++;
      if (this.options.maximumParallelInvocationsPerClient === 1) connection.slotOwner = invocation;
    }
    const diagnostics = connection.handler.diagnostics;
    diagnostics.invocationStarted(invocation, method.descriptor.name, message.headers);
    let result: unknown;
    try {
      result = diagnostics.runInvocation(invocation, () =>
        method.direct
          ? method.direct(connection, message.arguments)
          : connection.handlers![method.index].callback(message.arguments, invocation),
      );
      if (isPromiseLike(result)) result = await result;
      // With interceptors (or an Observable-returning method) the result is an
      // Observable that runs only when subscribed; its last value is the result.
      if (isObservable(result)) {
        const observable = result;
        result = await diagnostics.runInvocation(invocation, () =>
          lastValueFrom(observable, { defaultValue: undefined }),
        );
      }
    } catch (error) {
      // A direct call's error, or one an exception filter rethrew.
      invocation.fail(error);
    }

    if (!invocation.failed && message.invocationId !== undefined) {
      const completion: CompletionMessage = { type: MessageType.Completion, invocationId: message.invocationId };
      if (result !== undefined) completion.result = result;
      try {
        connection.writeMessage(completion);
      } catch (error) {
        invocation.fail(error); // a result the protocol cannot serialize (a BigInt, a cycle)
      }
    }
    if (invocation.failed) {
      this.completeWithError(connection, invocation.invocationId, this.describeFailure(invocation));
    }
    diagnostics.invocationEnded(invocation);
    // Answer first, then free the slot: a waiting invocation that completes at
    // once (a direct call) must not overtake this one's Completion. A method
    // done with its upload streams drops what the client still sends on them.
    if (channels) connection.uploadStreams!.close(message.streamIds!, channels);
    else if (!invocation.slotReleased) this.releaseSlot(connection);
  }

  /**
   * The method running in the connection's only slot awaits a client result:
   * let the connection's next invocation start meanwhile, as ASP.NET Core
   * does, or a client that calls the hub from its handler would deadlock.
   */
  releaseSlotEarly(connection: HubConnectionContext): void {
    const owner = connection.slotOwner;
    if (!owner || owner.slotReleased) return;
    owner.slotReleased = true;
    connection.slotOwner = undefined;
    this.releaseSlot(connection);
  }

  private releaseSlot(connection: HubConnectionContext): void {
    connection.activeInvocations--;
    connection.slotOwner = undefined;
    const waiting = connection.waitingInvocations;
    const next = waiting?.shift();
    // Checked before `next` runs: a direct call completes at once and frees
    // its slot in turn, so the queue may be empty when `next` returns.
    if (waiting && waiting.length <= MAX_WAITING_INVOCATIONS / 2) connection.resumeReceiving();
    if (next) next();
  }

  private async stream(
    connection: HubConnectionContext,
    method: BoundHubMethod,
    message: StreamInvocationMessage,
    uploads: ServerStream['uploads'],
  ): Promise<void> {
    const invocation = new HubInvocationContext(connection, message.target, message.invocationId);
    const stream = new ServerStream(invocation, this.onStreamFinished, uploads);
    (connection.serverStreams ??= new Map()).set(message.invocationId, stream);
    const diagnostics = connection.handler.diagnostics;
    diagnostics.invocationStarted(invocation, method.descriptor.name, message.headers);
    let result: unknown;
    try {
      result = await diagnostics.runInvocation(invocation, () =>
        connection.handlers![method.index].callback(message.arguments, invocation),
      );
    } catch (error) {
      invocation.fail(error); // only reached when an exception filter rethrows
    }
    if (invocation.failed) stream.cancel();
    else diagnostics.runInvocation(invocation, () => stream.start(result));
  }

  private readonly onStreamFinished = (stream: ServerStream): void => {
    const { invocation, uploads } = stream;
    const connection = invocation.connection;
    connection.serverStreams!.delete(stream.invocationId);
    if (uploads) connection.uploadStreams!.close(uploads.ids, uploads.channels);
    if (invocation.failed) {
      this.completeWithError(connection, stream.invocationId, this.describeFailure(invocation));
    } else {
      connection.writeMessage({ type: MessageType.Completion, invocationId: stream.invocationId });
    }
    connection.handler.diagnostics.invocationEnded(invocation);
  };

  /** The Completion error for a failed invocation, with ASP.NET Core's texts; unexpected errors are logged. */
  private describeFailure(invocation: HubInvocationContext): string {
    const { error, target } = invocation;
    if (isGuardDenial(error)) return HubErrors.unauthorized(target);
    if (error instanceof NotAStreamError) return HubErrors.notAStream(target);
    const message = invocation.streamOpened ? HubErrors.streamingFailed : HubErrors.invocationFailed(target);
    const text = buildErrorMessage(message, error, this.options.enableDetailedErrors);
    if (text === message || this.options.enableDetailedErrors) {
      // Unexpected errors are the app's to fix: log them like Nest does.
      this.logger.error(`Failed to invoke hub method '${target}'.`, (error as Error)?.stack ?? String(error));
    }
    return text;
  }

  /** A non-blocking invocation (no id) never gets an answer, not even an error. */
  private completeWithError(connection: HubConnectionContext, invocationId: string | undefined, error: string): void {
    if (invocationId === undefined) return;
    connection.writeMessage({ type: MessageType.Completion, invocationId, error });
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
