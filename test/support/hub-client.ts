import {
  HttpTransportType,
  type HubConnection,
  HubConnectionBuilder,
  type HubMessage,
  type IHubProtocol,
  LogLevel,
} from '@microsoft/signalr';

/** The three transports, named for test titles; suites run their scenarios over each. */
export const TRANSPORTS = [
  ['WebSockets', HttpTransportType.WebSockets],
  ['ServerSentEvents', HttpTransportType.ServerSentEvents],
  ['LongPolling', HttpTransportType.LongPolling],
] as const;

export interface HubClientOptions {
  transport?: HttpTransportType;
  skipNegotiation?: boolean;
  accessToken?: string;
  protocol?: IHubProtocol;
  serverTimeoutInMilliseconds?: number;
  keepAliveIntervalInMilliseconds?: number;
  /** `withStatefulReconnect()`: resume the same connection after a drop. */
  statefulReconnect?: boolean;
  /** `withAutomaticReconnect(delays)`: a new connection after a drop. */
  automaticReconnect?: number[];
}

/** Builds an official @microsoft/signalr client (not started). */
export function buildHubConnection(url: string, options: HubClientOptions = {}): HubConnection {
  const builder = new HubConnectionBuilder()
    .withUrl(url, {
      transport: options.transport,
      skipNegotiation: options.skipNegotiation,
      accessTokenFactory: options.accessToken ? () => options.accessToken! : undefined,
    })
    .configureLogging(LogLevel.None);
  if (options.protocol) builder.withHubProtocol(options.protocol);
  if (options.statefulReconnect) builder.withStatefulReconnect();
  if (options.automaticReconnect) builder.withAutomaticReconnect(options.automaticReconnect);
  const connection = builder.build();
  if (options.serverTimeoutInMilliseconds) connection.serverTimeoutInMilliseconds = options.serverTimeoutInMilliseconds;
  if (options.keepAliveIntervalInMilliseconds) {
    connection.keepAliveIntervalInMilliseconds = options.keepAliveIntervalInMilliseconds;
  }
  return connection;
}

/** Starts an official client; stop it with `connection.stop()` (the suites do it in afterEach). */
export async function connectHub(url: string, options: HubClientOptions = {}): Promise<HubConnection> {
  const connection = buildHubConnection(url, options);
  await connection.start();
  return connection;
}

/** Records every call of a client method, and lets a test await the next one. */
export class Inbox {
  readonly received: unknown[][] = [];
  private waiters: ((args: unknown[]) => void)[] = [];

  constructor(connection: HubConnection, method: string) {
    connection.on(method, (...args: unknown[]) => {
      this.received.push(args);
      this.waiters.shift()?.(args);
    });
  }

  /** Resolves with the arguments of the next call not yet taken. */
  next(): Promise<unknown[]> {
    const index = this.taken++;
    if (index < this.received.length) return Promise.resolve(this.received[index]);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Forgets what was received so far. */
  clear(): void {
    this.received.length = 0;
    this.taken = 0;
  }

  private taken = 0;
}

/** Resolves when the connection closes, with its error. */
export function closed(connection: HubConnection): Promise<Error | undefined> {
  return new Promise((resolve) => connection.onclose(resolve));
}

/**
 * Resolves once the client has nothing left to send. The official client sends
 * an upload's items one after another on a promise chain nobody awaits; stopping
 * the connection while that chain still runs rejects it unhandled. Suites with
 * uploads await this before `stop()`.
 */
export function trackSends(connection: HubConnection): () => Promise<void> {
  const transport = (connection as unknown as { connection: { send(data: unknown): Promise<void> } }).connection;
  const send = transport.send.bind(transport);
  let inFlight = 0;
  transport.send = (data) => {
    inFlight++;
    return send(data).finally(() => inFlight--);
  };
  return async () => {
    // A chained send starts in a microtask after the previous one settles, so
    // nothing in flight at a macrotask boundary means the chain is done.
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (inFlight === 0) return;
    }
  };
}

/**
 * Every hub message an official client parsed, in the order it arrived: the
 * client's view of the wire, including what the client itself ignores (items
 * of a stream it disposed, that stream's Completion).
 */
export class ReceivedMessages {
  readonly messages: HubMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(connection: HubConnection) {
    // Wraps this connection's protocol only: suites share one protocol instance among their clients.
    const client = connection as unknown as { _protocol: IHubProtocol };
    const protocol = client._protocol;
    const wrapper = Object.create(protocol) as IHubProtocol;
    wrapper.parseMessages = (input, logger) => {
      const parsed = protocol.parseMessages(input, logger);
      this.messages.push(...parsed);
      this.waiters.splice(0).forEach((wake) => wake());
      return parsed;
    };
    client._protocol = wrapper;
  }

  /** Resolves with the index of the first message that matches. */
  async indexOf(predicate: (message: HubMessage) => boolean): Promise<number> {
    for (;;) {
      const index = this.messages.findIndex(predicate);
      if (index !== -1) return index;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
