import type { HubConnection } from '@microsoft/signalr';
import { Hub, HubCaller, type HubCallerContext, HubMethod } from 'nest-signalr';
import { connectHub, Inbox } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { hubsModule } from './support/transport-hubs.js';

/** Test tokens are the principal as JSON: `{"sub":"ann"}`, `{"id":7}`. */
const authenticate = ({ token }: { token: string | undefined }) => (token ? JSON.parse(token) : undefined);

@Hub('/users')
class UsersHub {
  @HubMethod('WhoAmI')
  whoAmI(@HubCaller() ctx: HubCallerContext) {
    return ctx.userIdentifier ?? null;
  }

  @HubMethod('SendUser')
  sendUser(user: string, text: string, @HubCaller() ctx: HubCallerContext) {
    return ctx.clients.user(user).send('Receive', text);
  }

  /** Sent after a targeted message, it reaches everyone after it: who has it and not the message never will. */
  @HubMethod('Barrier')
  barrier(@HubCaller() ctx: HubCallerContext) {
    return ctx.clients.all.send('Barrier');
  }
}

/** A connected official client with the given principal, and what it receives. */
interface UserClient {
  connection: HubConnection;
  received: Inbox;
  barriers: Inbox;
}

/** Picks the principal's email: a custom userIdProvider. */
const byEmail = (user: unknown) => (user as { email?: string }).email;

describe('user identifiers', () => {
  let byDefault: RunningApp;
  let custom: RunningApp;
  const clients: UserClient[] = [];

  async function connect(server: RunningApp, principal: object): Promise<UserClient> {
    const connection = await connectHub(`${server.url}/users`, { accessToken: JSON.stringify(principal) });
    const client = {
      connection,
      received: new Inbox(connection, 'Receive'),
      barriers: new Inbox(connection, 'Barrier'),
    };
    clients.push(client);
    return client;
  }

  /** Sends `text` to `user` from `from`, then proves who has not received it (all clients share one server). */
  async function sendUser(from: UserClient, user: string, text: string): Promise<void> {
    await from.connection.invoke('SendUser', user, text);
    const arrived = clients.map((client) => client.barriers.next());
    await from.connection.invoke('Barrier');
    await Promise.all(arrived);
  }

  const texts = (client: UserClient) => client.received.received.map((args) => args[0]);

  beforeAll(async () => {
    [byDefault, custom] = await Promise.all([
      startApp(hubsModule([UsersHub], { authenticate })),
      startApp(hubsModule([UsersHub], { authenticate, userIdProvider: byEmail })),
    ]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.connection.stop()));
  });
  afterAll(() => Promise.all([byDefault?.close(), custom?.close()]));

  it('by default, takes the sub claim, else the id, as the user identifier; nothing without either', async () => {
    const bySub = await connect(byDefault, { sub: 'ann', id: 'not-this' });
    const byId = await connect(byDefault, { id: 'bob' });
    const byNumericId = await connect(byDefault, { id: 7 });
    const neither = await connect(byDefault, { name: 'nobody' });
    expect(await bySub.connection.invoke('WhoAmI')).toBe('ann');
    expect(await byId.connection.invoke('WhoAmI')).toBe('bob');
    expect(await byNumericId.connection.invoke('WhoAmI')).toBe('7');
    expect(await neither.connection.invoke('WhoAmI')).toBeNull();
  });

  it('by default, sends to a user known by its id claim, and to no one else', async () => {
    const ann = await connect(byDefault, { sub: 'ann' });
    const bob = await connect(byDefault, { id: 'bob' });
    const bobAgain = await connect(byDefault, { id: 'bob' });
    const shadowed = await connect(byDefault, { sub: 'ann', id: 'bob' });
    await sendUser(ann, 'bob', 'for bob');
    expect(texts(bob)).toEqual(['for bob']);
    expect(texts(bobAgain)).toEqual(['for bob']);
    expect(texts(ann)).toEqual([]);
    expect(texts(shadowed)).toEqual([]); // its sub wins over its id
  });

  it('with a userIdProvider, takes what it picks from the principal as the user identifier, and sends by it', async () => {
    const carol = await connect(custom, { sub: 'carol', email: 'carol@example.test' });
    const dave = await connect(custom, { sub: 'dave', email: 'dave@example.test' });
    const noEmail = await connect(custom, { sub: 'erin', id: 'erin' });
    expect(await carol.connection.invoke('WhoAmI')).toBe('carol@example.test');
    expect(await noEmail.connection.invoke('WhoAmI')).toBeNull();

    await sendUser(dave, 'carol@example.test', 'by email');
    await sendUser(dave, 'carol', 'by sub');
    await sendUser(dave, 'erin', 'by id');
    expect(texts(carol)).toEqual(['by email']);
    expect(texts(dave)).toEqual([]);
    expect(texts(noEmail)).toEqual([]);
  });
});
