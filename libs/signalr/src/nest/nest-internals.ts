import type { ArgumentsHost, INestApplicationContext } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';

/*
 * Everything this library reads of Nest that Nest does not offer as public
 * API: metadata keys and the shape of what its decorators record, the type
 * number of `@MessageBody()`, where a handler's arguments sit, and the app's
 * global enhancers. Nothing else in the library reaches into Nest, so a Nest
 * version that changes any of it needs changes here only;
 * `nest-internals.spec.ts` fails when the installed Nest no longer matches.
 */

/** Nest's WsParamtype.PAYLOAD, the type `@MessageBody()` records (the enum is not exported). */
const WS_PAYLOAD = 3;

/** Where a handler parameter's value comes from, as Nest's parameter decorators recorded it. */
export type ParameterSource =
  /** `@MessageBody(data)`: with a string `data`, that element of the handler's payload. */
  | { readonly kind: 'payload'; readonly index: number; readonly data: unknown; readonly pipes: readonly unknown[] }
  /** A `createParamDecorator()` decorator. */
  | { readonly kind: 'custom'; readonly index: number; readonly factory: unknown; readonly pipes: readonly unknown[] }
  /** Any other of Nest's own decorators (`@ConnectedSocket()`, …). */
  | { readonly kind: 'other'; readonly index: number; readonly pipes: readonly unknown[] };

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  factory?: unknown;
}

/**
 * The decorated parameters of a handler. Nest keys each record
 * `${type}:${index}`, or `${type}${CUSTOM_ROUTE_ARGS_METADATA}:${index}` for
 * custom decorators.
 */
export function readParameterSources(handlerClass: object, methodKey: string | symbol): ParameterSource[] {
  const records: Record<string, RouteArgument> =
    Reflect.getMetadata(ROUTE_ARGS_METADATA, handlerClass, methodKey) ?? {};
  return Object.entries(records).map(([key, { index, data, pipes = [], factory }]): ParameterSource => {
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) return { kind: 'custom', index, factory, pipes };
    if (Number(key.split(':')[0]) === WS_PAYLOAD) return { kind: 'payload', index, data, pipes };
    return { kind: 'other', index, pipes };
  });
}

/** Which enhancers a class or a method declares itself (`@UseGuards()`, `@UsePipes()`, …). */
export function declaredEnhancers(target: object): {
  guards: readonly unknown[];
  pipes: readonly unknown[];
  interceptors: readonly unknown[];
  filters: readonly unknown[];
} {
  return {
    guards: Reflect.getMetadata(GUARDS_METADATA, target) ?? [],
    pipes: Reflect.getMetadata(PIPES_METADATA, target) ?? [],
    interceptors: Reflect.getMetadata(INTERCEPTORS_METADATA, target) ?? [],
    filters: Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, target) ?? [],
  };
}

/**
 * Puts `filter` first in a class's exception filters. Nest runs the last
 * one first, so it sees an error after every other filter of the class.
 */
export function addFirstExceptionFilter(target: object, filter: object): void {
  const filters: unknown[] = Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, target) ?? [];
  Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [filter, ...filters], target);
}

/**
 * The third argument of a gateway handler as Nest passes it to guards,
 * interceptors, pipes and filters (`[client, payload, ...rest]`): what the
 * adapter gave the handler after the payload.
 */
export function handlerExtraArgument(host: ArgumentsHost): unknown {
  return host.getArgByIndex(2);
}

/**
 * Whether the app registered global guards, pipes or interceptors (which
 * apply to gateways too). Nest keeps them in its ApplicationConfig, which it
 * does not expose; when it cannot be read, assume there are some, so that
 * every hub method goes through Nest's pipeline.
 */
export function hasGlobalEnhancers(app: INestApplicationContext): boolean {
  const config = (app as unknown as { config?: Partial<Record<string, () => unknown[]>> }).config;
  const lists = [
    'getGlobalGuards',
    'getGlobalPipes',
    'getGlobalInterceptors',
    'getGlobalRequestGuards',
    'getGlobalRequestPipes',
    'getGlobalRequestInterceptors',
  ].map((getter) => config?.[getter]?.call(config));
  return lists.some((list) => !Array.isArray(list) || list.length > 0);
}

type ContextCreatorPart = { config?: object } | undefined;
type SocketModule = { getContextCreator?: (...args: unknown[]) => Record<string, ContextCreatorPart> };

/**
 * Nest 11 builds the context creator of its gateways without the app's
 * config, so global guards, pipes and interceptors never reach gateway
 * handlers there (Nest 12 passes the config). This hands it to the guard,
 * pipe and interceptor creators Nest 11 builds; under Nest 12 they have it
 * already and nothing changes. Runs before the app initializes its gateways.
 */
export function applyGlobalEnhancersToGateways(app: INestApplicationContext): void {
  const { config, socketModule } = app as unknown as { config?: object; socketModule?: SocketModule };
  const build = socketModule?.getContextCreator;
  if (!config || !socketModule || typeof build !== 'function') return;
  socketModule.getContextCreator = function (this: SocketModule, ...args: unknown[]) {
    const creator = build.apply(this, args);
    for (const part of [
      creator.guardsContextCreator,
      creator.pipesContextCreator,
      creator.interceptorsContextCreator,
    ]) {
      if (part && !part.config) part.config = config;
    }
    return creator;
  };
}

type AdapterConfig = { getIoAdapter?: () => unknown };

/**
 * Calls `check` with the app's WebSocket adapter the first time Nest asks
 * for it, which it does when it meets the first gateway, before it falls
 * back to Socket.IO. Nest exposes its ApplicationConfig to no provider; the
 * ModuleRef reaches it through the container.
 */
export function checkWebSocketAdapterOnFirstUse(moduleRef: ModuleRef, check: (adapter: unknown) => void): void {
  const config = (moduleRef as unknown as { container?: { applicationConfig?: AdapterConfig } }).container
    ?.applicationConfig;
  const read = config?.getIoAdapter;
  if (!config || typeof read !== 'function') return;
  config.getIoAdapter = function (this: AdapterConfig) {
    delete config.getIoAdapter; // back to Nest's own method
    const adapter = read.call(this);
    check(adapter);
    return adapter;
  };
}
