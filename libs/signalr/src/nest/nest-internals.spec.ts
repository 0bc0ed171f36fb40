import {
  Catch,
  Controller,
  createParamDecorator,
  type ExceptionFilter,
  type ExecutionContext,
  Module,
  type CanActivate,
  type PipeTransform,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type NestInterceptor,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  addFirstExceptionFilter,
  declaredEnhancers,
  handlerExtraArgument,
  hasGlobalEnhancers,
  readParameterSources,
} from './nest-internals.js';

/*
 * The contract between nest-internals.ts and the installed Nest: each test
 * lets Nest's own decorators and classes record something, and checks that
 * nest-internals reads it back. A Nest version that changes any of it fails
 * here, not silently in a hub.
 */

const customFactory = (_data: unknown, context: ExecutionContext) => context.switchToWs().getClient();
const Custom = createParamDecorator(customFactory);
const pipe: PipeTransform = { transform: (value: unknown) => value };
const guard: CanActivate = { canActivate: () => true };
const interceptor: NestInterceptor = { intercept: (_context, next) => next.handle() };
@Catch()
class Filter implements ExceptionFilter {
  catch(): void {}
}

class Handlers {
  plain(@MessageBody('1') _second: unknown, @Custom() _custom: unknown, @ConnectedSocket() _socket: unknown) {}
  piped(@MessageBody('0', pipe) _first: unknown) {}

  @UseGuards(guard)
  @UseInterceptors(interceptor)
  @UsePipes(pipe)
  @UseFilters(Filter)
  enhanced() {}
}

describe('Nest internals', () => {
  it('reads the parameter records of @MessageBody, custom decorators and the rest', () => {
    const sources = readParameterSources(Handlers, 'plain').sort((a, b) => a.index - b.index);
    expect(sources).toEqual([
      { kind: 'payload', index: 0, data: '1', pipes: [] },
      { kind: 'custom', index: 1, factory: customFactory, pipes: [] },
      { kind: 'other', index: 2, pipes: [] },
    ]);
    expect(readParameterSources(Handlers, 'piped')).toEqual([{ kind: 'payload', index: 0, data: '0', pipes: [pipe] }]);
    expect(readParameterSources(Handlers, 'enhanced')).toEqual([]);
  });

  it("knows @MessageBody's parameter type number", () => {
    expect(WsParamtype.PAYLOAD).toBe(3);
  });

  it('reads the enhancers a method or class declares', () => {
    const declared = declaredEnhancers(Handlers.prototype.enhanced);
    expect(declared.guards).toEqual([guard]);
    expect(declared.interceptors).toEqual([interceptor]);
    expect(declared.pipes).toEqual([pipe]);
    expect(declared.filters).toEqual([Filter]);
    expect(declaredEnhancers(Handlers)).toEqual({ guards: [], pipes: [], interceptors: [], filters: [] });
  });

  it('puts a filter first in the list Nest keeps, which Nest runs last', () => {
    @UseFilters(Filter)
    class Target {}
    const first = new Filter();
    addFirstExceptionFilter(Target, first);
    expect(declaredEnhancers(Target).filters).toEqual([first, Filter]);
  });

  it("finds the adapter's extra handler argument where Nest puts it for guards, pipes and filters", () => {
    const extra = {};
    const host = new ExecutionContextHost(['client', ['payload'], extra]);
    host.setType('ws');
    expect(handlerExtraArgument(host)).toBe(extra);
    expect(host.switchToWs().getClient()).toBe('client');
  });

  describe("the app's global enhancers", () => {
    @Controller()
    class NothingController {}
    @Module({ controllers: [NothingController] })
    class AppModule {}

    async function app() {
      return NestFactory.create(AppModule, { logger: false });
    }

    it('none', async () => {
      const application = await app();
      expect(hasGlobalEnhancers(application)).toBe(false);
      await application.close();
    });

    it.each([
      ['a guard', (a: Awaited<ReturnType<typeof app>>) => a.useGlobalGuards(guard)],
      ['a pipe', (a: Awaited<ReturnType<typeof app>>) => a.useGlobalPipes(pipe)],
      ['an interceptor', (a: Awaited<ReturnType<typeof app>>) => a.useGlobalInterceptors(interceptor)],
    ])('%s', async (_name, register) => {
      const application = await app();
      register(application);
      expect(hasGlobalEnhancers(application)).toBe(true);
      await application.close();
    });

    it('assumed present when they cannot be read', () => {
      expect(hasGlobalEnhancers({} as never)).toBe(true);
    });
  });
});
