import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { isObservable, Observable } from 'rxjs';
import type { HubMethodDescriptor } from '../hub/hub-method-descriptor.js';
import { readParameterSources } from '../nest/nest-internals.js';
import { toStreamingMethod } from '../hub/streaming-method.js';
import { HUB_METHODS_METADATA, UPLOAD_STREAMS_METADATA } from '../signalr.constants.js';

export interface HubMethodOptions {
  /** The target name clients invoke. Default: the method's name. */
  name?: string;
  /** Force server-to-client streaming when the return type cannot be seen. */
  stream?: boolean;
}

/**
 * Makes a method of a hub invocable by clients. Its undecorated parameters
 * receive the invocation's arguments in order; decorated ones (such as
 * `@HubCaller()`) are filled by Nest, and `@UploadStream()` ones receive the
 * client's streams. Guards, pipes, interceptors and exception filters apply as
 * on any gateway handler.
 *
 * A method that streams to the client (an `async *` method, or one returning
 * an Observable) sends each item as it comes; interceptors see its items as an
 * Observable either way.
 *
 * @example
 * ＠HubMethod() // clients invoke "SendMessage" (case-insensitively)
 * sendMessage(user: string, text: string, ＠HubCaller() ctx: HubCallerContext) {}
 *
 * ＠HubMethod('Counter') // clients call connection.stream('Counter', 10, 500)
 * async *counter(count: number, delayMs: number) {}
 *
 * @publicApi
 */
export function HubMethod(nameOrOptions?: string | HubMethodOptions): MethodDecorator {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  return (target, methodKey, descriptor) => {
    const method = descriptor.value as unknown as (...args: unknown[]) => unknown;
    const name = options.name ?? String(methodKey);
    const parameters = bindParameters(target, methodKey, method);
    const streaming = options.stream ?? returnsStream(target, methodKey, method);
    if (streaming) {
      const wrapped = toStreamingMethod(target, methodKey, method, parameters.total);
      descriptor.value = wrapped as unknown as typeof descriptor.value;
    }
    const hubMethod: HubMethodDescriptor = {
      name,
      methodKey,
      parameterCount: parameters.argumentCount,
      streamParameterCount: parameters.streamCount,
      streaming,
    };
    const methods: HubMethodDescriptor[] = Reflect.getMetadata(HUB_METHODS_METADATA, target.constructor) ?? [];
    Reflect.defineMetadata(HUB_METHODS_METADATA, [...methods, hubMethod], target.constructor);
    SubscribeMessage(name)(target, methodKey, descriptor);
  };
}

/**
 * Gives every parameter that no decorator claims the next invocation argument,
 * as a `@MessageBody(index)`: Nest then runs pipes on it as on a message body
 * (`ValidationPipe` included) and reads it from the argument array. Upload
 * streams follow the plain arguments in that array, in parameter order.
 */
function bindParameters(
  target: object,
  methodKey: string | symbol,
  method: (...args: unknown[]) => unknown,
): { argumentCount: number; streamCount: number; total: number } {
  const paramTypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', target, methodKey);
  const claimed = new Set(readParameterSources(target.constructor, methodKey).map((param) => param.index));
  const uploadStreams: number[] = [...(Reflect.getMetadata(UPLOAD_STREAMS_METADATA, target, methodKey) ?? [])];
  uploadStreams.sort((a, b) => a - b);
  // The hidden invocation argument of streaming methods goes after every declared parameter.
  const total = Math.max(paramTypes?.length ?? method.length, ...[...claimed, ...uploadStreams].map((i) => i + 1));
  for (const index of uploadStreams) {
    if (claimed.has(index)) {
      throw new Error(
        `Parameter ${index} of ${String(methodKey)}() has @UploadStream() and another parameter decorator.`,
      );
    }
  }
  let argument = 0;
  for (let index = 0; index < total; index++) {
    if (claimed.has(index) || uploadStreams.includes(index)) continue;
    MessageBody(String(argument++))(target, methodKey, index);
  }
  uploadStreams.forEach((index, stream) => MessageBody(String(argument + stream))(target, methodKey, index));
  return { argumentCount: argument, streamCount: uploadStreams.length, total };
}

function returnsStream(target: object, methodKey: string | symbol, method: (...args: unknown[]) => unknown): boolean {
  if (method.constructor?.name === 'AsyncGeneratorFunction') return true;
  const returnType: unknown = Reflect.getMetadata('design:returntype', target, methodKey);
  return returnType === Observable || (typeof returnType === 'function' && isObservable(returnType.prototype));
}
