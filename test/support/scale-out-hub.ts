import { Module, type Type } from '@nestjs/common';
import {
  Hub,
  HubCaller,
  type HubCallerContext,
  type HubLifetimeManagerFactory,
  HubMethod,
  SignalRModule,
  type SignalRModuleOptions,
} from 'nest-signalr';

/** A hub that exposes every client selector, group change and client result to the test clients. */
@Hub('/scale')
export class ScaleOutHub {
  @HubMethod('Whoami')
  whoami(@HubCaller() ctx: HubCallerContext) {
    return ctx.connectionId;
  }

  /** The cross-node barrier (see `barrier` in scale-out-clients.ts). */
  @HubMethod('Marker')
  marker(token: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.all.send('Marker', token);
  }

  @HubMethod('SendAll')
  sendAll(text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.all.send('Receive', text);
  }

  @HubMethod('SendOthers')
  sendOthers(text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.others.send('Receive', text);
  }

  @HubMethod('SendAllExcept')
  sendAllExcept(excluded: string[], text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.allExcept(excluded).send('Receive', text);
  }

  @HubMethod('SendClient')
  sendClient(id: string, text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.client(id).send('Receive', text);
  }

  @HubMethod('SendClients')
  sendClients(ids: string[], text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.clients(ids).send('Receive', text);
  }

  @HubMethod('SendGroup')
  sendGroup(group: string, text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.group(group).send('Receive', text);
  }

  @HubMethod('SendGroups')
  sendGroups(groups: string[], text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.groups(groups).send('Receive', text);
  }

  @HubMethod('SendGroupExcept')
  sendGroupExcept(group: string, excluded: string[], text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.groupExcept(group, excluded).send('Receive', text);
  }

  @HubMethod('SendOthersInGroup')
  sendOthersInGroup(group: string, text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.othersInGroup(group).send('Receive', text);
  }

  @HubMethod('SendUser')
  sendUser(user: string, text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.user(user).send('Receive', text);
  }

  @HubMethod('SendUsers')
  sendUsers(users: string[], text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.users(users).send('Receive', text);
  }

  /** Any connection, of any node. */
  @HubMethod('AddToGroup')
  addToGroup(id: string, group: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.groups.add(id, group);
  }

  @HubMethod('RemoveFromGroup')
  removeFromGroup(id: string, group: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.groups.remove(id, group);
  }

  /** A client result, or the error it failed with, as data the test can compare. */
  @HubMethod('InvokeClient')
  async invokeClient(id: string, method: string, arg: unknown, @HubCaller() ctx: HubCallerContext) {
    try {
      return { result: await ctx.clients.client(id).invoke(method, arg) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
}

/** An app module serving ScaleOutHub with this backplane; a token is the user's id. */
export function scaleOutModule(backplane: HubLifetimeManagerFactory, options: SignalRModuleOptions = {}): Type {
  @Module({
    imports: [
      SignalRModule.forRoot({
        backplane,
        authenticate: ({ token }) => (token ? { sub: token } : undefined),
        ...options,
      }),
    ],
    providers: [ScaleOutHub],
  })
  class ScaleOutModule {}
  return ScaleOutModule;
}
