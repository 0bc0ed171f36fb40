import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { hubCallerFactory } from '../decorators/hub-caller.decorator.js';
import { HubExceptionFilter } from '../exceptions/hub-exception.filter.js';
import type { HubConnectionContext } from './hub-connection-context.js';
import type { HubMethodDescriptor } from './hub-method-descriptor.js';

/** Calls a hub method with an invocation's arguments, for the connection that sent it. */
export type DirectCall = (connection: HubConnectionContext, args: unknown[]) => unknown;

interface ParamMetadata {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  factory?: unknown;
}

const CALLER = -1;
/** Nest's WsParamtype.PAYLOAD: the type `@MessageBody()` records (the enum is not exported). */
const PAYLOAD = 3;

/**
 * A call that skips Nest's handler wrapper, for a method the wrapper would
 * only pass through: no guard, pipe or interceptor applies to it (on the
 * method, the hub, or globally), no exception filter but the hub's own, and
 * every parameter is an invocation argument or `@HubCaller()`. Nest's wrapper
 * costs a few promises and an argument array per call; with any enhancer in
 * play the method goes through Nest as usual. Undefined when not eligible.
 */
export function compileDirectCall(
  hub: object | undefined,
  descriptor: HubMethodDescriptor,
  hasGlobalEnhancers: boolean,
): DirectCall | undefined {
  if (!hub || hasGlobalEnhancers || descriptor.streaming || descriptor.streamParameterCount > 0) return undefined;
  const hubClass = hub.constructor;
  const method = (hub as Record<string | symbol, unknown>)[descriptor.methodKey];
  if (typeof method !== 'function') return undefined;
  for (const key of [GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA]) {
    if (hasEntries(Reflect.getMetadata(key, hubClass)) || hasEntries(Reflect.getMetadata(key, method))) {
      return undefined;
    }
  }
  const classFilters: unknown[] = Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, hubClass) ?? [];
  if (!classFilters.every((filter) => filter instanceof HubExceptionFilter)) return undefined;
  if (hasEntries(Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method))) return undefined;

  const plan = parameterPlan(hubClass, descriptor.methodKey);
  if (!plan) return undefined;
  return (connection, args) => {
    const params = new Array(plan.length);
    for (let i = 0; i < plan.length; i++) {
      const source = plan[i];
      params[i] = source === CALLER ? connection : args[source];
    }
    return method.apply(hub, params);
  };
}

/** For each parameter, the argument index it takes, or CALLER; undefined if any needs Nest. */
function parameterPlan(hubClass: Function, methodKey: string | symbol): number[] | undefined {
  const params: Record<string, ParamMetadata> = Reflect.getMetadata(ROUTE_ARGS_METADATA, hubClass, methodKey) ?? {};
  const plan: number[] = [];
  for (const [key, param] of Object.entries(params)) {
    if (hasEntries(param.pipes)) return undefined;
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
      if (param.factory !== hubCallerFactory) return undefined;
      plan[param.index] = CALLER;
    } else if (Number(key.split(':')[0]) === PAYLOAD && typeof param.data === 'string') {
      plan[param.index] = Number(param.data); // the implicit @MessageBody(index) of @HubMethod
    } else {
      return undefined;
    }
  }
  // A hole is a parameter nothing binds: Nest would pass undefined; so would we, but keep it simple.
  for (let i = 0; i < plan.length; i++) if (plan[i] === undefined) return undefined;
  return plan;
}

function hasEntries(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
