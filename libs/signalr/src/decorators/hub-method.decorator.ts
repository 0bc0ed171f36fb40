import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { isObservable, Observable } from 'rxjs';
import type { HubMethodDescriptor } from '../hub/hub-method-descriptor.js';
import { HUB_METHODS_METADATA } from '../signalr.constants.js';

export interface HubMethodOptions {
  /** The target name clients invoke. Default: the method's name. */
  name?: string;
  /** Force server-to-client streaming when the return type cannot be seen. */
  stream?: boolean;
}

/**
 * Makes a method of a hub invocable by clients. Its undecorated parameters
 * receive the invocation's arguments in order; decorated ones (such as
 * `@HubCaller()`) are filled by Nest. Guards, pipes, interceptors and exception
 * filters apply as on any gateway handler.
 *
 * @example
 * ＠HubMethod() // clients invoke "SendMessage" (case-insensitively)
 * sendMessage(user: string, text: string, ＠HubCaller() ctx: HubCallerContext) {}
 *
 * @publicApi
 */
export function HubMethod(nameOrOptions?: string | HubMethodOptions): MethodDecorator {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : (nameOrOptions ?? {});
  return (target, methodKey, descriptor) => {
    const method = descriptor.value as unknown as (...args: unknown[]) => unknown;
    const name = options.name ?? String(methodKey);
    const parameterCount = bindArgumentParameters(target, methodKey, method);
    const hubMethod: HubMethodDescriptor = {
      name,
      methodKey,
      parameterCount,
      streaming: options.stream ?? returnsStream(target, methodKey, method),
    };
    const methods: HubMethodDescriptor[] = Reflect.getMetadata(HUB_METHODS_METADATA, target.constructor) ?? [];
    Reflect.defineMetadata(HUB_METHODS_METADATA, [...methods, hubMethod], target.constructor);
    SubscribeMessage(name)(target, methodKey, descriptor);
  };
}

/**
 * Gives every parameter that no decorator claims the next invocation argument,
 * as a `@MessageBody(index)`: Nest then runs pipes on it as on a message body
 * (`ValidationPipe` included) and reads it from the argument array.
 */
function bindArgumentParameters(target: object, methodKey: string | symbol, method: (...args: unknown[]) => unknown): number {
  const paramTypes: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', target, methodKey);
  const total = paramTypes?.length ?? method.length;
  const decorated: Record<string, { index: number }> =
    Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, methodKey) ?? {};
  const claimed = new Set(Object.values(decorated).map((param) => param.index));
  let argument = 0;
  for (let index = 0; index < total; index++) {
    if (claimed.has(index)) continue;
    MessageBody(String(argument++))(target, methodKey, index);
  }
  return argument;
}

function returnsStream(target: object, methodKey: string | symbol, method: (...args: unknown[]) => unknown): boolean {
  if (method.constructor?.name === 'AsyncGeneratorFunction') return true;
  const returnType: unknown = Reflect.getMetadata('design:returntype', target, methodKey);
  return returnType === Observable || (typeof returnType === 'function' && isObservable(returnType.prototype));
}
