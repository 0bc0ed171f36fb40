import {
  JsonHubProtocol as ClientJsonHubProtocol,
  type IHubProtocol,
  TransferFormat as ClientTransferFormat,
} from '@microsoft/signalr';
import { MessagePackHubProtocol as ClientMessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import type { HubConnection } from '@microsoft/signalr';
import { Hub, HubMethod, type HubMessage, type HubProtocol, JsonHubProtocol, TransferFormat } from 'nest-signalr';
import { buildHubConnection } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';
import { hubsModule } from './support/transport-hubs.js';

const TAGGED = 'tagged-json';

/** A protocol of the app's own (module option `protocols`): JSON under another name, counting what it writes. */
class TaggedJsonProtocol implements HubProtocol {
  readonly name = TAGGED;
  readonly version = 1;
  readonly transferFormat = TransferFormat.Text;
  writes = 0;
  private readonly json = new JsonHubProtocol();

  isVersionSupported(version: number): boolean {
    return version === this.version;
  }

  parseMessages(input: Buffer, maxMessageSize: number, onMessage: (message: HubMessage) => unknown): number {
    return this.json.parseMessages(input, maxMessageSize, onMessage);
  }

  writeMessage(message: HubMessage): Buffer {
    this.writes++;
    return this.json.writeMessage(message);
  }
}

/** The same protocol for the official client. */
function taggedClientProtocol(): IHubProtocol {
  const json = new ClientJsonHubProtocol();
  return {
    name: TAGGED,
    version: 1,
    transferFormat: ClientTransferFormat.Text,
    parseMessages: (input, logger) => json.parseMessages(input as string, logger),
    writeMessage: (message) => json.writeMessage(message),
  };
}

function echoHub(path: string, supportedProtocols?: string[]) {
  @Hub(path, { supportedProtocols })
  class EchoHub {
    @HubMethod('Echo')
    echo(value: unknown) {
      return value;
    }
  }
  return EchoHub;
}

const CLIENT_PROTOCOLS = {
  json: () => new ClientJsonHubProtocol(),
  messagepack: () => new ClientMessagePackHubProtocol(),
  [TAGGED]: taggedClientProtocol,
};
type ProtocolName = keyof typeof CLIENT_PROTOCOLS;

describe('hub protocols', () => {
  let server: RunningApp;
  const tagged = new TaggedJsonProtocol();
  const open: HubConnection[] = [];

  /** Whether an official client of `protocol` can connect to `path` and call it, else the error it got. */
  async function tryProtocol(path: string, protocol: ProtocolName): Promise<string> {
    const connection = buildHubConnection(`${server.url}${path}`, { protocol: CLIENT_PROTOCOLS[protocol]() });
    try {
      await connection.start();
    } catch (error) {
      return (error as Error).message;
    }
    open.push(connection);
    expect(await connection.invoke('Echo', protocol)).toBe(protocol);
    return 'connected';
  }

  beforeAll(async () => {
    server = await startApp(
      hubsModule(
        [echoHub('/anyProtocol'), echoHub('/jsonOnly', ['json']), echoHub('/notJson', ['MessagePack', TAGGED])],
        { protocols: [tagged] },
      ),
    );
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((connection) => connection.stop()));
  });
  afterAll(() => server.close());

  it('serves json, messagepack and the protocols of the `protocols` option, chosen by name at the handshake', async () => {
    const writesBefore = tagged.writes;
    expect(await tryProtocol('/anyProtocol', 'json')).toBe('connected');
    expect(await tryProtocol('/anyProtocol', 'messagepack')).toBe('connected');
    expect(tagged.writes).toBe(writesBefore);
    expect(await tryProtocol('/anyProtocol', TAGGED)).toBe('connected');
    expect(tagged.writes).toBeGreaterThan(writesBefore); // the app's protocol wrote the completion
  });

  it('refuses at the handshake a protocol that supportedProtocols leaves out, and serves those it lists', async () => {
    const refused = (name: string) => `Server returned handshake error: The protocol '${name}' is not supported.`;
    expect(await tryProtocol('/jsonOnly', 'json')).toBe('connected');
    expect(await tryProtocol('/jsonOnly', 'messagepack')).toBe(refused('messagepack'));
    expect(await tryProtocol('/jsonOnly', TAGGED)).toBe(refused(TAGGED));

    // Names compare case-insensitively; listing a protocol of the `protocols` option works too.
    expect(await tryProtocol('/notJson', 'json')).toBe(refused('json'));
    expect(await tryProtocol('/notJson', 'messagepack')).toBe('connected');
    expect(await tryProtocol('/notJson', TAGGED)).toBe('connected');
  });
});
