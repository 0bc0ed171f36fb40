import { isHubCallerFactory } from '../decorators/hub-caller.decorator.js';
import { HubExceptionFilter } from '../exceptions/hub-exception.filter.js';
import type { DirectCall } from '../hub/hub-dispatcher.js';
import type { HubMethodDescriptor } from '../hub/hub-method-descriptor.js';
import { declaredEnhancers, readParameterSources } from './nest-internals.js';

const CALLER = -1;

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
  const onClass = declaredEnhancers(hubClass);
  const onMethod = declaredEnhancers(method);
  for (const enhancers of [onClass, onMethod]) {
    if (enhancers.guards.length > 0 || enhancers.interceptors.length > 0 || enhancers.pipes.length > 0) {
      return undefined;
    }
  }
  if (!onClass.filters.every((filter) => filter instanceof HubExceptionFilter)) return undefined;
  if (onMethod.filters.length > 0) return undefined;

  const plan = parameterPlan(hubClass, descriptor.methodKey);
  if (!plan) return undefined;
  return (caller, args) => {
    const params = new Array(plan.length);
    for (let i = 0; i < plan.length; i++) {
      const source = plan[i];
      params[i] = source === CALLER ? caller : args[source];
    }
    return method.apply(hub, params);
  };
}

/** For each parameter, the argument index it takes, or CALLER; undefined if any needs Nest. */
function parameterPlan(hubClass: object, methodKey: string | symbol): number[] | undefined {
  const plan: number[] = [];
  for (const source of readParameterSources(hubClass, methodKey)) {
    if (source.pipes.length > 0) return undefined;
    if (source.kind === 'custom' && isHubCallerFactory(source.factory)) {
      plan[source.index] = CALLER;
    } else if (source.kind === 'payload' && typeof source.data === 'string') {
      plan[source.index] = Number(source.data); // the implicit @MessageBody(index) of @HubMethod
    } else {
      return undefined;
    }
  }
  // A hole is a parameter nothing binds: Nest would pass undefined; so would we, but keep it simple.
  for (let i = 0; i < plan.length; i++) if (plan[i] === undefined) return undefined;
  return plan;
}
