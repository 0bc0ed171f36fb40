import { HubConnection, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from './../src/app.module.js';
import { setUp } from './../src/app.setup.js';
import { NewsService } from './../src/news.service.js';

describe('ChatHub (e2e, official SignalR client)', () => {
  let app: INestApplication;
  let url: string;
  const connections: HubConnection[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    setUp(app);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}/chat`;
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.stop()));
    await app.close();
  });

  async function connect(): Promise<HubConnection> {
    const connection = new HubConnectionBuilder().withUrl(url).configureLogging(LogLevel.None).build();
    connections.push(connection);
    await connection.start();
    return connection;
  }

  it('invokes a hub method (through the global interceptor)', async () => {
    const connection = await connect();
    await expect(connection.invoke('Echo', 'hello')).resolves.toEqual({ value: 'hello' });
  });

  it('receives a push from a service through the injected hub context, in its group only', async () => {
    const member = await connect();
    const outsider = await connect();
    const outsiderGot: string[] = [];
    outsider.on('news', (text: string) => outsiderGot.push(text));
    await expect(member.invoke('Join', 'lobby')).resolves.toEqual({ value: 'lobby' });
    const received = new Promise((resolve) => member.on('news', resolve));
    await app.get(NewsService).publish('lobby', 'breaking');
    await expect(received).resolves.toBe('breaking');
    // Anything sent to the outsider after the push would arrive after this echo, on the same connection.
    await outsider.invoke('Echo', 'flush');
    expect(outsiderGot).toEqual([]);
  });

  it('is refused by the global guard', async () => {
    const connection = await connect();
    await expect(connection.invoke('Echo', 'forbidden')).rejects.toThrow(
      "Failed to invoke 'Echo' because user is unauthorized",
    );
  });
});
