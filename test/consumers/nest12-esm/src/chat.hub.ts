import { Hub, HubCaller, HubCallerContext, HubMethod } from 'nest-signalr';

@Hub('/chat')
export class ChatHub {
  @HubMethod()
  echo(text: string) {
    return text;
  }

  @HubMethod()
  async join(room: string, @HubCaller() ctx: HubCallerContext) {
    await ctx.groups.add(ctx.connectionId, room);
    return room;
  }
}
