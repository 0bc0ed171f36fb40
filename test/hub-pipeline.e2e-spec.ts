import type { HubConnection } from '@microsoft/signalr';
import { connectHub } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { PipelineModule } from './fixtures/pipeline.hub.js';

describe('hub methods through Nest', () => {
  let server: RunningApp;
  let open: HubConnection[] = [];

  async function connect(path = '/pipeline', accessToken?: string) {
    const connection = await connectHub(server.url + path, { accessToken });
    open.push(connection);
    return connection;
  }

  beforeAll(async () => {
    server = await startApp(PipelineModule);
  });
  afterEach(async () => {
    await Promise.all(open.map((connection) => connection.stop()));
    open = [];
  });
  afterAll(() => server.close());

  describe('invocation and completion', () => {
    it('returns a result, with case-insensitive method lookup', async () => {
      const connection = await connect();
      expect(await connection.invoke('add', 2, 3)).toBe(5);
      expect(await connection.invoke('ADD', 4, 5)).toBe(9);
      expect(await connection.invoke('Echo', { nested: [1, 'two', null] })).toEqual({ nested: [1, 'two', null] });
    });

    it('completes a void method without a result', async () => {
      const connection = await connect();
      expect(await connection.invoke('Nothing')).toBeUndefined();
    });

    it('answers an unknown method with the ASP.NET Core error', async () => {
      const connection = await connect();
      await expect(connection.invoke('Missing')).rejects.toThrow(
        "Failed to invoke 'Missing' due to an error on the server. HubException: Method does not exist.",
      );
    });

    it('answers a wrong argument count with a binding error, without details by default', async () => {
      const connection = await connect();
      await expect(connection.invoke('Add', 1)).rejects.toThrow(
        new Error("Failed to invoke 'Add' due to an error on the server."),
      );
    });

    it('hides the details of an unexpected error', async () => {
      const connection = await connect();
      await expect(connection.invoke('Fail')).rejects.toThrow(
        new Error("An unexpected error occurred invoking 'Fail' on the server."),
      );
      await expect(connection.invoke('FailLater')).rejects.toThrow(
        new Error("An unexpected error occurred invoking 'FailLater' on the server."),
      );
    });

    it('sends the message of a HubException', async () => {
      const connection = await connect();
      await expect(connection.invoke('FailForClient')).rejects.toThrow(
        "An unexpected error occurred invoking 'FailForClient' on the server. HubException: you may see this",
      );
    });

    it("sends a WsException's message, whether the method is called directly, asynchronously or behind a guard", async () => {
      const connection = await connect();
      await expect(connection.invoke('FailWithWsException')).rejects.toThrow(
        new Error(
          "An unexpected error occurred invoking 'FailWithWsException' on the server. WsException: try again later",
        ),
      );
      await expect(connection.invoke('FailWithWsExceptionObject')).rejects.toThrow(
        new Error(
          'An unexpected error occurred invoking \'FailWithWsExceptionObject\' on the server. WsException: {"reason":"busy","retryAfter":5}',
        ),
      );
      // A guard that throws its own WsException is not a plain "unauthorized".
      await expect(connection.invoke('Enter')).rejects.toThrow(
        new Error("An unexpected error occurred invoking 'Enter' on the server. WsException: closed for the night"),
      );
    });

    it('sends error details when enableDetailedErrors is on', async () => {
      const connection = await connect('/detailed');
      await expect(connection.invoke('Fail')).rejects.toThrow(
        "An unexpected error occurred invoking 'Fail' on the server. Error: database is down",
      );
      await expect(connection.invoke('Add', 1)).rejects.toThrow(
        "Failed to invoke 'Add' due to an error on the server. InvalidDataException: Invocation provides 1 argument(s) but target expects 2.",
      );
    });

    it('keeps the connection usable after errors', async () => {
      const connection = await connect();
      await expect(connection.invoke('Fail')).rejects.toThrow();
      await expect(connection.invoke('Missing')).rejects.toThrow();
      expect(await connection.invoke('Add', 1, 1)).toBe(2);
    });

    it('never answers a non-blocking invocation, not even an error', async () => {
      const connection = await connect();
      await connection.send('Fail');
      await connection.send('Missing');
      // Anything answered to the sends would reach the client first and break it.
      expect(await connection.invoke('Add', 20, 22)).toBe(42);
    });
  });

  describe('guards', () => {
    it('reject one invocation for one user and allow it for another, on the same hub', async () => {
      const user = await connect('/pipeline', 'alice');
      const admin = await connect('/pipeline', 'root');
      await expect(user.invoke('AdminOnly')).rejects.toThrow(
        new Error("Failed to invoke 'AdminOnly' because user is unauthorized"),
      );
      expect(await admin.invoke('AdminOnly')).toBe('welcome root');
      expect(await user.invoke('Add', 1, 2)).toBe(3);
    });

    it('can read the invocation arguments', async () => {
      const connection = await connect();
      await expect(connection.invoke('Ask', 'now')).rejects.toThrow('because user is unauthorized');
      expect(await connection.invoke('Ask', 'please')).toBe('you said please');
    });
  });

  describe('pipes', () => {
    it('ValidationPipe transforms a valid DTO argument', async () => {
      const connection = await connect();
      expect(await connection.invoke('Order', { item: 'tea', quantity: 2 })).toEqual({
        ordered: 2,
        item: 'tea',
        isDto: true,
      });
    });

    it('ValidationPipe rejects an invalid DTO with its messages', async () => {
      const connection = await connect();
      await expect(connection.invoke('Order', { item: 7, quantity: 0 })).rejects.toThrow(
        "An unexpected error occurred invoking 'Order' on the server. BadRequestException: item must be a string, quantity must not be less than 1",
      );
    });
  });

  it('interceptors map the result', async () => {
    const connection = await connect();
    expect(await connection.invoke('Wrapped', 21)).toEqual({ wrapped: 42 });
  });

  it('exception filters see the error first and may rethrow a client-safe one', async () => {
    const connection = await connect();
    await expect(connection.invoke('Buy', 'coffee')).rejects.toThrow(
      "An unexpected error occurred invoking 'Buy' on the server. HubException: out of stock: coffee",
    );
  });
});
