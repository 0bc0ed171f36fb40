import type { HubConnection } from '@microsoft/signalr';
import { connectHub, Inbox } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { LifecycleLog, Notifier, SelectorsModule } from './fixtures/selectors.hub.js';

interface Client {
  connection: HubConnection;
  id: string;
  inbox: Inbox;
}

describe('client selectors', () => {
  let server: RunningApp;
  let open: HubConnection[] = [];
  let a: Client, b: Client, c: Client, d: Client;

  async function connect(user?: string): Promise<Client> {
    const connection = await connectHub(`${server.url}/selectors`, { accessToken: user && `user:${user}` });
    open.push(connection);
    return { connection, id: connection.connectionId!, inbox: new Inbox(connection, 'Receive') };
  }

  /** Asserts exactly who received `text`: the others got nothing. */
  async function expectDelivery(text: string, recipients: Client[]) {
    const everyone = [a, b, c, d];
    for (const client of recipients) expect(await client.inbox.next()).toEqual([text]);
    await Promise.all(everyone.map((client) => client.connection.invoke('barrier')));
    for (const client of everyone) {
      const expected = recipients.includes(client) ? [[text]] : [];
      expect(client.inbox.received, `inbox of ${everyone.indexOf(client)}`).toEqual(expected);
      client.inbox.clear();
    }
  }

  beforeAll(async () => {
    server = await startApp(SelectorsModule);
  });
  beforeEach(async () => {
    [a, b, c, d] = [await connect('ann'), await connect('ann'), await connect('bob'), await connect()];
  });
  afterEach(async () => {
    await Promise.all(open.map((connection) => connection.stop()));
    open = [];
  });
  afterAll(() => server.close());

  it('all', async () => {
    await a.connection.invoke('All', 'to all');
    await expectDelivery('to all', [a, b, c, d]);
  });

  it('caller', async () => {
    await b.connection.invoke('Caller', 'to caller');
    await expectDelivery('to caller', [b]);
  });

  it('others', async () => {
    await b.connection.invoke('Others', 'to others');
    await expectDelivery('to others', [a, c, d]);
  });

  it('client(id)', async () => {
    await a.connection.invoke('Client', c.id, 'to c');
    await expectDelivery('to c', [c]);
  });

  it('clients(ids)', async () => {
    await a.connection.invoke('Clients', [b.id, d.id, 'unknown-id'], 'to b and d');
    await expectDelivery('to b and d', [b, d]);
  });

  it('allExcept(ids)', async () => {
    await a.connection.invoke('AllExcept', [a.id, c.id], 'not a or c');
    await expectDelivery('not a or c', [b, d]);
  });

  it('group(name)', async () => {
    await b.connection.invoke('Join', 'g1');
    await c.connection.invoke('Join', 'g1');
    await d.connection.invoke('Join', 'g2');
    await a.connection.invoke('Group', 'g1', 'to g1');
    await expectDelivery('to g1', [b, c]);
  });

  it('groups(names) delivers once to a member of several groups', async () => {
    await b.connection.invoke('Join', 'g1');
    await b.connection.invoke('Join', 'g2');
    await c.connection.invoke('Join', 'g2');
    await d.connection.invoke('Join', 'g3');
    await a.connection.invoke('Groups', ['g1', 'g2'], 'to g1 and g2');
    await expectDelivery('to g1 and g2', [b, c]);
  });

  it('groupExcept(name, ids)', async () => {
    for (const client of [a, b, c]) await client.connection.invoke('Join', 'g');
    await d.connection.invoke('GroupExcept', 'g', [b.id], 'g but b');
    await expectDelivery('g but b', [a, c]);
  });

  it('othersInGroup(name)', async () => {
    for (const client of [a, b, c]) await client.connection.invoke('Join', 'g');
    await b.connection.invoke('OthersInGroup', 'g', 'g but me');
    await expectDelivery('g but me', [a, c]);
  });

  it('a connection that left a group no longer receives its messages', async () => {
    await b.connection.invoke('Join', 'g');
    await c.connection.invoke('Join', 'g');
    await c.connection.invoke('Leave', 'g');
    await a.connection.invoke('Group', 'g', 'after leave');
    await expectDelivery('after leave', [b]);
  });

  it('user(id) reaches every connection of the user', async () => {
    await d.connection.invoke('User', 'ann', 'to ann');
    await expectDelivery('to ann', [a, b]);
  });

  it('users(ids)', async () => {
    await a.connection.invoke('Users', ['bob', 'nobody'], 'to bob');
    await expectDelivery('to bob', [c]);
  });

  it('HubContext from a service reaches the selected clients', async () => {
    const hub = server.app.get(Notifier).hub;
    await hub.clients.all.send('Receive', 'service to all');
    await expectDelivery('service to all', [a, b, c, d]);

    await hub.groups.add(c.id, 'ops');
    await hub.clients.group('ops').send('Receive', 'service to ops');
    await expectDelivery('service to ops', [c]);
  });

  it('HubContext reaches users and single clients', async () => {
    const hub = server.app.get(Notifier).hub;
    await hub.clients.user('bob').send('Receive', 'service to bob');
    await hub.clients.client(d.id).send('Receive', 'service to d');
    expect(await c.inbox.next()).toEqual(['service to bob']);
    expect(await d.inbox.next()).toEqual(['service to d']);
    await Promise.all([a, b].map((client) => client.connection.invoke('barrier')));
    expect(a.inbox.received).toEqual([]);
    expect(b.inbox.received).toEqual([]);
  });
});

describe('hub lifecycle', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp(SelectorsModule);
  });
  afterAll(() => server.close());

  it('runs onConnected before the first invocation, and exposes the caller context', async () => {
    const connection = await connectHub(`${server.url}/selectors`, { accessToken: 'user:zoe' });
    const me = await connection.invoke('WhoAmI');
    expect(me).toEqual({ connectionId: connection.connectionId, userIdentifier: 'zoe', item: 'hook' });
    expect(server.app.get(LifecycleLog).events).toContain(`connected:${connection.connectionId}`);
    await connection.stop();
  });

  it('runs onDisconnected when the client stops, and frees its groups', async () => {
    const log = server.app.get(LifecycleLog);
    const leaving = await connectHub(`${server.url}/selectors`);
    const staying = await connectHub(`${server.url}/selectors`);
    const id = leaving.connectionId!;
    await leaving.invoke('Join', 'room');
    await leaving.stop();
    await log.waitFor(`disconnected:${id}`);

    const inbox = new Inbox(staying, 'Receive');
    await staying.invoke('Join', 'room');
    await staying.invoke('Group', 'room', 'still here');
    expect(await inbox.next()).toEqual(['still here']);
    await staying.stop();
  });

  it('ctx.abort() closes the connection without an error', async () => {
    const connection = await connectHub(`${server.url}/selectors`);
    const closedWith = new Promise((resolve) => connection.onclose(resolve));
    await connection.send('Abort');
    expect(await closedWith).toBeUndefined();
  });
});
