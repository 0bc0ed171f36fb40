import type { HubConnection } from '@microsoft/signalr';
import { Injectable, Module } from '@nestjs/common';
import {
  Hub,
  HubCaller,
  HubCallerContext,
  type HubContext,
  HubMethod,
  InjectHubContext,
  SignalRModule,
} from 'nest-signalr';
import { connectHub, Inbox } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';

/** The methods the hub's clients implement. */
interface RoomClient {
  receiveMessage(user: string, message: string): void;
  /** Goes on the wire under the name the hub maps it to. */
  roomClosed(room: string): void;
  getAnswer(question: string): Promise<number>;
}

type RoomCaller = HubCallerContext<RoomClient>;

@Hub<RoomClient>('/rooms', { clientMethodNames: { roomClosed: 'room-closed' } })
class RoomHub {
  @HubMethod() async join(room: string, @HubCaller() ctx: RoomCaller) {
    await ctx.groups.add(ctx.connectionId, room);
  }
  @HubMethod() async sendToAll(user: string, message: string, @HubCaller() ctx: RoomCaller) {
    await ctx.clients.all.receiveMessage(user, message);
  }
  @HubMethod() async sendToRoom(room: string, message: string, @HubCaller() ctx: RoomCaller) {
    await ctx.clients.group(room).receiveMessage(room, message);
  }
  @HubMethod() async sendToOthers(message: string, @HubCaller() ctx: RoomCaller) {
    await ctx.clients.others.receiveMessage('someone', message);
  }
  @HubMethod() async closeRoom(room: string, @HubCaller() ctx: RoomCaller) {
    await ctx.clients.group(room).roomClosed(room);
  }
  @HubMethod() async ask(question: string, @HubCaller() ctx: RoomCaller) {
    const answer: number = await ctx.clients.caller.invoke.getAnswer(question);
    return answer * 2;
  }
  /** The untyped API still works on the same proxies. */
  @HubMethod() async sendUntyped(message: string, @HubCaller() ctx: RoomCaller) {
    await ctx.clients.caller.send('ReceiveMessage', 'untyped', message);
    return ctx.clients.caller.invoke<number>('GetAnswer', message);
  }
  /** A proxy handed through a promise is not mistaken for a thenable. */
  @HubMethod() async resolveProxy(@HubCaller() ctx: RoomCaller) {
    const proxy = await Promise.resolve(ctx.clients.caller);
    await proxy.receiveMessage('resolved', String(proxy === ctx.clients.caller));
  }
}

@Injectable()
class Announcer {
  constructor(@InjectHubContext(RoomHub) readonly hub: HubContext<RoomHub, RoomClient>) {}
}

@Module({ imports: [SignalRModule.forRoot()], providers: [RoomHub, Announcer] })
class RoomModule {}

describe('typed client proxies', () => {
  let server: RunningApp;
  const connections: HubConnection[] = [];

  beforeAll(async () => {
    server = await startApp(RoomModule);
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  async function connect(): Promise<{ connection: HubConnection; messages: Inbox }> {
    const connection = await connectHub(`${server.url}/rooms`);
    connections.push(connection);
    return { connection, messages: new Inbox(connection, 'ReceiveMessage') };
  }

  it('send under the method name with its first letter upper-cased, to the selected connections only', async () => {
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    await a.connection.invoke('SendToAll', 'ann', 'hello');
    for (const { messages } of [a, b, c]) expect(await messages.next()).toEqual(['ann', 'hello']);

    await a.connection.invoke('Join', 'blue');
    await b.connection.invoke('Join', 'blue');
    await c.connection.invoke('SendToRoom', 'blue', 'to blue');
    await c.connection.invoke('SendToOthers', 'not to c');
    expect(await a.messages.next()).toEqual(['blue', 'to blue']);
    expect(await b.messages.next()).toEqual(['blue', 'to blue']);
    expect(await a.messages.next()).toEqual(['someone', 'not to c']);
    expect(await b.messages.next()).toEqual(['someone', 'not to c']);
    // c's messages arrive in order: had it received either, it would be before this one.
    await c.connection.invoke('SendToAll', 'c', 'last');
    expect(await c.messages.next()).toEqual(['c', 'last']);
  });

  it('send under the wire name the hub maps', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const closedRooms = new Inbox(a.connection, 'room-closed');
    const defaultName = new Inbox(a.connection, 'RoomClosed');
    const bClosed = new Inbox(b.connection, 'room-closed');
    await a.connection.invoke('Join', 'green');
    await a.connection.invoke('CloseRoom', 'green');
    expect(await closedRooms.next()).toEqual(['green']);
    await b.connection.invoke('SendToAll', 'b', 'after');
    expect(await a.messages.next()).toEqual(['b', 'after']);
    expect(defaultName.received).toEqual([]);
    expect(bClosed.received).toEqual([]);
  });

  it('invoke.getAnswer() resolves with the client result', async () => {
    const { connection } = await connect();
    connection.on('GetAnswer', (question: string) => question.length);
    expect(await connection.invoke('Ask', 'four')).toBe(8);
  });

  it('keep the untyped send and invoke', async () => {
    const { connection, messages } = await connect();
    connection.on('GetAnswer', () => 42);
    expect(await connection.invoke('SendUntyped', 'plain')).toBe(42);
    expect(await messages.next()).toEqual(['untyped', 'plain']);
  });

  it('are not thenables', async () => {
    const { connection, messages } = await connect();
    await connection.invoke('ResolveProxy');
    expect(await messages.next()).toEqual(['resolved', 'true']);
  });

  it('type HubContext<Hub, Client> for code outside the hub', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const { hub } = server.app.get(Announcer);
    await hub.clients.all.receiveMessage('system', 'from outside');
    expect(await a.messages.next()).toEqual(['system', 'from outside']);
    expect(await b.messages.next()).toEqual(['system', 'from outside']);
    a.connection.on('GetAnswer', () => 7);
    expect(await hub.clients.client(a.connection.connectionId!).invoke.getAnswer('?')).toBe(7);
  });
});
