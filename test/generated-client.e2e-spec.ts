import { type HubConnection, Subject } from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { readFileSync } from 'node:fs';
import { DemoModule } from '../apps/demo/src/demo.module.js';
import { chatHub, type ChatHubClient, chatHubPath } from '../apps/demo/src/page/browser/chat-hub.client.js';
import { generateClient } from '../libs/signalr/src/cli/generate-client.js';
import { connectHub, trackSends } from './support/hub-client.js';
import { type RunningApp, startApp } from './support/test-app.js';

/** What one client receives through the generated `on.receiveMessage`. */
class Messages {
  readonly received: [string, string][] = [];
  readonly off: () => void;
  private taken = 0;
  private waiters: (() => void)[] = [];

  constructor(chat: ChatHubClient) {
    this.off = chat.on.receiveMessage((user, message) => {
      this.received.push([user, message]);
      this.waiters.shift()?.();
    });
  }

  async next(): Promise<[string, string]> {
    while (this.taken >= this.received.length) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.received[this.taken++];
  }
}

describe('the generated client of the demo', () => {
  it('is the committed file, byte for byte (`npm run generate:client` writes it)', () => {
    // Reading the demo's program through the type checker takes seconds.
    const generated = generateClient('apps/demo/tsconfig.app.json');
    expect(generated).toBe(readFileSync('apps/demo/src/page/browser/chat-hub.client.ts', 'utf8'));
  }, 120_000);

  describe.each([
    ['JSON', undefined],
    ['MessagePack', () => new MessagePackHubProtocol()],
  ] as const)('talking to the running demo over the official client (%s)', (_name, protocol) => {
    let server: RunningApp;
    const connections: HubConnection[] = [];

    beforeAll(async () => {
      server = await startApp(DemoModule);
    });
    afterEach(async () => {
      await Promise.all(connections.splice(0).map((connection) => connection.stop()));
    });
    afterAll(() => server.close());

    async function connect(): Promise<{ chat: ChatHubClient; messages: Messages }> {
      const chat = chatHub(await connectHub(`${server.url}${chatHubPath}`, { protocol: protocol?.() }));
      connections.push(chat.connection);
      return { chat, messages: new Messages(chat) };
    }

    it('invokes a hub method, and every client gets its broadcast through on', async () => {
      const [ann, bob] = await Promise.all([connect(), connect()]);
      await expect(ann.chat.invoke.sendMessage('ann', 'hello')).resolves.toBeUndefined();
      expect(await ann.messages.next()).toEqual(['ann', 'hello']);
      expect(await bob.messages.next()).toEqual(['ann', 'hello']);
    });

    it('sends to a group that only its members receive', async () => {
      const [ann, bob] = await Promise.all([connect(), connect()]);
      await ann.chat.invoke.addToGroup('typed');
      await bob.chat.send.sendToGroup('typed', 'bob', 'to the group');
      expect(await ann.messages.next()).toEqual(['bob', 'to the group']);
      // Bob's messages come in order: the group message would have come before this one.
      await bob.chat.invoke.sendMessage('bob', 'to all');
      expect(await bob.messages.next()).toEqual(['bob', 'to all']);
      expect(bob.messages.received).toEqual([['bob', 'to all']]);
    });

    it('streams the items of a streaming hub method, typed by what it yields', async () => {
      const { chat } = await connect();
      const items: number[] = [];
      await new Promise<void>((resolve, reject) => {
        chat.stream
          .counter(3, 1)
          .subscribe({ next: (item) => void items.push(item), complete: resolve, error: reject });
      });
      expect(items).toEqual([0, 1, 2]);
    });

    it('uploads a stream to a hub method and resolves with its result', async () => {
      const [ann, bob] = await Promise.all([connect(), connect()]);
      const sent = trackSends(ann.chat.connection);
      const lines = new Subject<string>();
      const count = ann.chat.invoke.uploadMessages('ann', lines);
      lines.next('one');
      lines.next('two');
      lines.complete();
      expect(await count).toBe(2);
      expect(await bob.messages.next()).toEqual(['ann', 'one']);
      expect(await bob.messages.next()).toEqual(['ann', 'two']);
      await sent();
    });

    it('stops calling a handler once the function on returned is called', async () => {
      const [ann, bob] = await Promise.all([connect(), connect()]);
      const later = new Messages(ann.chat);
      ann.messages.off();
      await bob.chat.invoke.sendMessage('bob', 'after off');
      expect(await later.next()).toEqual(['bob', 'after off']);
      expect(ann.messages.received).toEqual([]);
    });
  });
});
