import type { HubConnection } from '@microsoft/signalr';
import { connect } from 'node:net';
import type { DefaultHubLifetimeManager } from '../libs/signalr/src/lifetime/default-hub-lifetime-manager.js';
import request from 'supertest';
import { connectHub } from './support/hub-client.js';
import { memoryAfterGc } from './support/memory.js';
import { rawHttp, upgradeResponse } from './support/raw-http.js';
import { RawHubSocket } from './support/raw-socket.js';
import { type RunningApp, startApp } from './support/test-app.js';
import {
  BadInputModule,
  HardenedHub,
  PlainHub,
  resetAuthenticationGate,
  SmallMessagesHardenedHub,
} from './fixtures/bad-input.hub.js';

const RS = '\x1e';
const CLOSED_WITH_ERROR = { type: 7, error: 'Connection closed with an error.', allowReconnect: true };
/** The Close a protocol error gets on a hub with detailed errors (ASP.NET Core's texts). */
const closedBecause = (detail: string) => ({
  type: 7,
  error: `Connection closed with an error. InvalidDataException: ${detail}`,
  allowReconnect: true,
});
const methodDoesNotExist = (target: string) =>
  `Failed to invoke '${target}' due to an error on the server. HubException: Method does not exist.`;
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** [case, what the client sends after its handshake, why the server closes it]. */
const protocolViolations: [string, string | Buffer, string][] = [
  ['malformed JSON', '{"type":1,' + RS, 'Error reading JSON.'],
  [
    'a JSON array instead of an object',
    '[1,2]' + RS,
    "Unexpected JSON Token Type 'StartArray'. Expected a JSON Object.",
  ],
  [
    'a JSON string instead of an object',
    '"hello"' + RS,
    "Unexpected JSON Token Type 'String'. Expected a JSON Object.",
  ],
  ['a message without a type', '{"target":"Echo","arguments":[]}' + RS, "Missing required property 'type'."],
  [
    'a type that is a string',
    '{"type":"1","target":"Echo","arguments":[]}' + RS,
    "Expected 'type' to be of type Number.",
  ],
  [
    'a type that is a fraction',
    '{"type":1.5,"target":"Echo","arguments":[]}' + RS,
    "Expected 'type' to be of type Number.",
  ],
  ['a type that is null', '{"type":null}' + RS, "Expected 'type' to be of type Number."],
  ['an invocation without a target', '{"type":1,"arguments":[]}' + RS, "Missing required property 'target'."],
  ['a target that is a number', '{"type":1,"target":7,"arguments":[]}' + RS, "Expected 'target' to be of type String."],
  ['an invocation without arguments', '{"type":1,"target":"Echo"}' + RS, "Missing required property 'arguments'."],
  [
    'arguments that are an object',
    '{"type":1,"target":"Echo","arguments":{}}' + RS,
    "Expected 'arguments' to be of type Array.",
  ],
  [
    'an invocation id that is a number',
    '{"type":1,"invocationId":5,"target":"Echo","arguments":[1]}' + RS,
    "Expected 'invocationId' to be of type String.",
  ],
  [
    'stream ids that are a string',
    '{"type":1,"target":"Echo","arguments":[1],"streamIds":"s"}' + RS,
    "Expected 'streamIds' to be of type Array.",
  ],
  [
    'stream ids that are numbers',
    '{"type":1,"target":"Echo","arguments":[1],"streamIds":[1]}' + RS,
    "Expected 'streamIds' to be of type Array.",
  ],
  [
    'headers that are an array',
    '{"type":1,"target":"Echo","arguments":[1],"headers":[]}' + RS,
    "Expected 'headers' to be of type StartObject.",
  ],
  [
    'a header value that is a number',
    '{"type":1,"target":"Echo","arguments":[1],"headers":{"a":1}}' + RS,
    "Expected header 'a' to be of type String.",
  ],
  ['a stream item without an item', '{"type":2,"invocationId":"1"}' + RS, "Missing required property 'item'."],
  [
    'a stream item with a numeric id',
    '{"type":2,"invocationId":1,"item":1}' + RS,
    "Expected 'invocationId' to be of type String.",
  ],
  [
    'a completion with both error and result',
    '{"type":3,"invocationId":"1","error":"x","result":1}' + RS,
    "The 'error' and 'result' properties are mutually exclusive.",
  ],
  [
    'a completion error that is a number',
    '{"type":3,"invocationId":"1","error":5}' + RS,
    "Expected 'error' to be of type String.",
  ],
  ['a completion without an id', '{"type":3,"result":1}' + RS, "Missing required property 'invocationId'."],
  [
    'a stream invocation without an id',
    '{"type":4,"target":"Echo","arguments":[]}' + RS,
    "Missing required property 'invocationId'.",
  ],
  ['a cancel invocation without an id', '{"type":5}' + RS, "Missing required property 'invocationId'."],
  ['a close whose error is a number', '{"type":7,"error":5}' + RS, "Expected 'error' to be of type String."],
  [
    'a close whose allowReconnect is a string',
    '{"type":7,"allowReconnect":"yes"}' + RS,
    "Expected 'allowReconnect' to be of type Boolean.",
  ],
  [
    'an ack whose sequenceId is a string',
    '{"type":8,"sequenceId":"1"}' + RS,
    "Expected 'sequenceId' to be of type Number.",
  ],
  ['a sequence without a sequenceId', '{"type":9}' + RS, "Missing required property 'sequenceId'."],
  ['a second handshake after the first', '{"protocol":"json","version":1}' + RS, "Missing required property 'type'."],
  ['a frame of only record separators', RS + RS + RS, 'Error reading JSON.'],
  [
    'invalid UTF-8 in a message (sent in a binary frame)',
    Buffer.concat([
      Buffer.from('{"type":1,"target":"Echo","arguments":["'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"]}' + RS),
    ]),
    'Error reading JSON.',
  ],
  [
    'JSON nested 65 deep (System.Text.Json allows 64)',
    `{"type":1,"invocationId":"1","target":"Echo","arguments":${nested(64)}}` + RS,
    'Error reading JSON.',
  ],
];

/** [case, what the client sends after its handshake]: ignored, as ASP.NET Core ignores them. */
const ignoredMessages: [string, string | Buffer][] = [
  ['an unknown message type', '{"type":99,"whatever":true}' + RS],
  ['a negative message type', '{"type":-1}' + RS],
  ['a completion for an unknown invocation', '{"type":3,"invocationId":"nope","result":1}' + RS],
  ['a stream item for an unknown stream', '{"type":2,"invocationId":"nope","item":{"a":1}}' + RS],
  ['a cancel invocation for an unknown invocation', '{"type":5,"invocationId":"nope"}' + RS],
  ['an ack without stateful reconnect', '{"type":8,"sequenceId":1}' + RS],
  ['a sequence without stateful reconnect', '{"type":9,"sequenceId":1}' + RS],
  ['an empty frame', ''],
  ['unknown properties, one named __proto__', '{"type":6,"__proto__":{"polluted":true},"extra":[1]}' + RS],
];

/** Targets that are names of Object.prototype members, or odd strings: none is a hub method. */
const notHubMethods = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '',
  'echo\u0000',
];

describe('bad input', () => {
  let server: RunningApp;
  let hardened: HardenedHub;
  let url: string;
  let bystander: HubConnection;
  let baselineMemory: number;
  const connectionsOpened: WeakRef<object>[] = [];

  beforeAll(async () => {
    server = await startApp(BadInputModule);
    hardened = server.app.get(HardenedHub);
    url = `${server.url}/hardened`;
    bystander = await connectHub(`${server.url}/plain`);
    // Warm up every path the cases take, so that the baseline holds the code and caches they load.
    const warm = await RawHubSocket.connect(url);
    await warm.invoke('0', 'Echo', 'warm');
    warm.close();
    await warm.closed;
    await request(server.url).post('/hardened/negotiate?negotiateVersion=1').expect(200);
    baselineMemory = memoryAfterGc();
    // Watches (weakly) every connection the cases open, to see them all collected at the end.
    for (const hub of [hardened, server.app.get(PlainHub), server.app.get(SmallMessagesHardenedHub)]) {
      const handler = hub.endpoint.handler;
      const openConnection = handler.openConnection.bind(handler);
      handler.openConnection = (...args) => {
        const connection = openConnection(...args);
        connectionsOpened.push(new WeakRef(connection));
        return connection;
      };
    }
  });
  afterAll(async () => {
    await bystander.stop();
    await server.close();
  });

  /** The well-behaved client still chats after each bad one. */
  async function expectBystanderUnharmed(text: string) {
    expect(await bystander.invoke('Echo', text)).toBe(text);
  }

  describe('messages that break the JSON hub protocol', () => {
    it.each(protocolViolations)('%s: closes only the sender, saying why', async (name, frame, detail) => {
      const raw = await RawHubSocket.connect(url);
      raw.sendFrame(frame, Buffer.isBuffer(frame));
      expect(await raw.nextNonPing()).toEqual(closedBecause(detail));
      expect((await raw.closed).code).toBe(1011);
      await expectBystanderUnharmed(name);
    });

    it('without detailed errors, says only that the connection closed with an error', async () => {
      const raw = await RawHubSocket.connect(`${server.url}/plain`);
      raw.sendText('{"type":1,' + RS);
      expect(await raw.nextNonPing()).toEqual(CLOSED_WITH_ERROR);
      await raw.closed;
    });
  });

  describe('messages that are ignored', () => {
    it.each(ignoredMessages)('%s: the connection carries on', async (name, frame) => {
      const raw = await RawHubSocket.connect(url);
      raw.sendFrame(frame, false);
      // Anything the server answered to the ignored message would come before this Completion.
      expect(await raw.invoke('1', 'Echo', name)).toEqual({ type: 3, invocationId: '1', result: name });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      raw.close();
      await raw.closed;
    });

    it('a binary frame on a JSON connection is read as the same bytes (frame types are not checked)', async () => {
      const raw = await RawHubSocket.connect(url);
      raw.sendFrame(Buffer.from('{"type":1,"invocationId":"1","target":"Echo","arguments":["bytes"]}' + RS), true);
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1', result: 'bytes' });
      raw.close();
      await raw.closed;
    });

    it('a message cut into one-byte frames is put together again', async () => {
      const raw = await RawHubSocket.connect(url);
      for (const byte of Buffer.from('{"type":1,"invocationId":"1","target":"Echo","arguments":["bit by bit"]}' + RS)) {
        raw.sendFrame(Buffer.from([byte]), false);
      }
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1', result: 'bit by bit' });
      raw.close();
      await raw.closed;
    });

    it('JSON nested 64 deep is still accepted', async () => {
      const raw = await RawHubSocket.connect(url);
      raw.sendText(`{"type":1,"invocationId":"1","target":"Echo","arguments":[${nested(62)}]}` + RS);
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1', result: JSON.parse(nested(62)) });
      raw.close();
      await raw.closed;
    });
  });

  describe('invocations the hub cannot serve', () => {
    it.each(notHubMethods)('target %j: "Method does not exist."', async (target) => {
      const raw = await RawHubSocket.connect(url);
      expect(await raw.invoke('1', target, 1)).toEqual({
        type: 3,
        invocationId: '1',
        error: methodDoesNotExist(target),
      });
      raw.close();
      await raw.closed;
    });

    it('an invocation id reused while pending: both run and each gets its Completion, as in ASP.NET Core', async () => {
      const raw = await RawHubSocket.connect(url);
      raw.sendText(
        '{"type":1,"invocationId":"7","target":"Later","arguments":["first"]}' +
          RS +
          '{"type":1,"invocationId":"7","target":"Later","arguments":["second"]}' +
          RS,
      );
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '7', result: 'first' });
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '7', result: 'second' });
      raw.close();
      await raw.closed;
    });

    it('an argument of the wrong type: the error type and message with detailed errors, never a stack trace', async () => {
      const detailed = await RawHubSocket.connect(url);
      const { error } = (await detailed.invoke('1', 'Shout', 5)) as { error: string };
      expect(error).toBe(
        "An unexpected error occurred invoking 'Shout' on the server. TypeError: text.toUpperCase is not a function",
      );
      expect(error).not.toMatch(/\n\s+at /);
      detailed.close();
      await detailed.closed;

      const plain = await RawHubSocket.connect(`${server.url}/plain`);
      expect(await plain.invoke('1', 'Shout', 5)).toEqual({
        type: 3,
        invocationId: '1',
        error: "An unexpected error occurred invoking 'Shout' on the server.",
      });
      plain.close();
      await plain.closed;
    });

    it('a result JSON cannot carry fails the invocation, and the connection lives on', async () => {
      const raw = await RawHubSocket.connect(url);
      expect(await raw.invoke('1', 'BigNumber')).toEqual({
        type: 3,
        invocationId: '1',
        error:
          "An unexpected error occurred invoking 'BigNumber' on the server. TypeError: Do not know how to serialize a BigInt",
      });
      expect(await raw.invoke('2', 'Echo', 'alive')).toEqual({ type: 3, invocationId: '2', result: 'alive' });
      raw.close();
      await raw.closed;
    });

    it('ten thousand groups for one connection all leave with it', async () => {
      const raw = await RawHubSocket.connect(url);
      const before = hardened.groupCount;
      expect(await raw.invoke('1', 'JoinMany', 'crowd-', 10_000)).toMatchObject({ type: 3, invocationId: '1' });
      expect(hardened.groupCount).toBe(before + 10_000);
      raw.close();
      await raw.closed;
      await waitForConnectionCount(hardened, 0);
      expect(hardened.groupCount).toBe(before);
    });
  });

  describe('WebSocket frames the server refuses', () => {
    it('invalid UTF-8 in a text frame: ws closes with 1007', async () => {
      const raw = await RawHubSocket.connect(url);
      raw.sendFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x1e]), false);
      expect((await raw.closed).code).toBe(1007);
      await expectBystanderUnharmed('after invalid UTF-8');
    });

    it('a frame larger than any unit may be: ws closes with 1009', async () => {
      const raw = await RawHubSocket.connect(`${server.url}/small`);
      raw.sendFrame(Buffer.alloc(1024 * 1024 + 1, 0x20), true);
      expect((await raw.closed).code).toBe(1009);
    });

    it('a message beyond maximumReceiveMessageSize closes the sender with the ASP.NET Core text', async () => {
      const raw = await RawHubSocket.connect(`${server.url}/small`);
      raw.sendText('{"type":1,"target":"Echo","arguments":["' + 'y'.repeat(1500));
      expect(await raw.nextNonPing()).toEqual(
        closedBecause(
          'The maximum message size of 1024B was exceeded. The message size can be configured in AddHubOptions.',
        ),
      );
      await raw.closed;
    });

    it('the official client that sends too large a message is closed, and only it', async () => {
      const big = await connectHub(`${server.url}/small`);
      const small = await connectHub(`${server.url}/small`);
      const closedWith = new Promise<Error | undefined>((resolve) => big.onclose(resolve));
      await expect(big.invoke('Echo', 'x'.repeat(2000))).rejects.toThrow();
      expect((await closedWith)?.message).toMatch(
        /^Server returned an error on close: Connection closed with an error\. InvalidDataException: The maximum message size of 1024B/,
      );
      expect(await small.invoke('Echo', 'still fine')).toBe('still fine');
      await small.stop();
    });
  });

  describe('handshakes', () => {
    const handshakeErrors: [string, string, string | Buffer, string][] = [
      [
        'an unknown protocol',
        '/hardened',
        '{"protocol":"xml","version":1}' + RS,
        "The protocol 'xml' is not supported.",
      ],
      [
        'an unsupported version',
        '/hardened',
        '{"protocol":"json","version":99}' + RS,
        "The server does not support version 99 of the 'json' protocol.",
      ],
      [
        'garbage before the handshake',
        '/hardened',
        'hello there' + RS,
        'An unexpected error occurred during connection handshake. InvalidDataException: Error reading JSON.',
      ],
      [
        'garbage, without detailed errors',
        '/plain',
        'hello there' + RS,
        'An unexpected error occurred during connection handshake.',
      ],
      [
        'a handshake without a version',
        '/hardened',
        '{"protocol":"json"}' + RS,
        'An unexpected error occurred during connection handshake. ' +
          `InvalidDataException: Missing required property 'version'. Message content: {"protocol":"json"}`,
      ],
      [
        'a protocol name that is not a string',
        '/hardened',
        '{"protocol":1,"version":1}' + RS,
        "An unexpected error occurred during connection handshake. InvalidDataException: Expected 'protocol' to be of type String.",
      ],
      [
        'a handshake larger than maximumReceiveMessageSize',
        '/small',
        '{"protocol":"' + 'j'.repeat(2000),
        'Handshake was canceled.',
      ],
    ];

    it.each(handshakeErrors)('%s: answered with the handshake error, then closed', async (name, path, frame, error) => {
      const raw = await RawHubSocket.open(server.url + path);
      raw.sendText(frame);
      expect(await raw.next()).toEqual({ error });
      await raw.closed;
      await expectBystanderUnharmed(name);
    });

    it('a handshake in a binary frame, in pieces, after an empty frame, followed by a message in the same frame', async () => {
      const raw = await RawHubSocket.open(url);
      raw.sendFrame('', false);
      raw.sendFrame(Buffer.from('{"protocol":"JSON",'), true);
      raw.sendFrame(
        Buffer.from('"version":1}' + RS + '{"type":1,"invocationId":"1","target":"Echo","arguments":[1]}' + RS),
        true,
      );
      expect(await raw.next()).toEqual({});
      expect(await raw.nextNonPing()).toEqual({ type: 3, invocationId: '1', result: 1 });
      raw.close();
      await raw.closed;
    });
  });

  describe('negotiate requests', () => {
    it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('%s /negotiate gets 405', async (method) => {
      const response = await request(server.url)[method.toLowerCase() as 'get']('/hardened/negotiate').expect(405);
      expect(response.text).toBe('Method Not Allowed');
    });

    it.each([
      [
        'a negative version',
        'negotiateVersion=-1',
        "The client requested version '-1', but the server does not support this version.",
      ],
      [
        'a repeated version',
        'negotiateVersion=1&NegotiateVersion=1',
        'The client requested a non-integer protocol version.',
      ],
      [
        'a version beyond Int32',
        'negotiateVersion=99999999999',
        'The client requested a non-integer protocol version.',
      ],
      ['a badly escaped version', 'negotiateVersion=%zz', 'The client requested a non-integer protocol version.'],
    ])('%s: 200 with the ASP.NET Core error', async (_name, query, error) => {
      const response = await request(server.url).post(`/hardened/negotiate?${query}`).expect(200);
      expect(response.body).toEqual({ error });
    });

    it('a query larger than any header may be: 431 from the HTTP parser', async () => {
      const response = await rawHttp(
        server.url,
        `POST /hardened/negotiate?negotiateVersion=1&pad=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
      );
      expect(response.status).toBe(431);
    });

    it('a body on negotiate is drained and ignored', async () => {
      const response = await request(server.url)
        .post('/hardened/negotiate?negotiateVersion=1')
        .send('x'.repeat(256 * 1024))
        .expect(200);
      expect(response.body.negotiateVersion).toBe(1);
    });
  });

  describe('connect requests', () => {
    it.each([
      ['an unknown id', 'id=unknown'],
      ['a 4 KB id', `id=${'a'.repeat(4096)}`],
      ['an id with odd characters', 'id=..%2F..%00%FF'],
    ])('a WebSocket with %s gets 404', async (_name, query) => {
      expect(await upgradeResponse(`${url}?${query}`)).toEqual({ status: 404, body: 'No Connection with that ID' });
    });

    it('a WebSocket with an id negotiated on another hub gets 404', async () => {
      const { body } = await request(server.url).post('/plain/negotiate?negotiateVersion=1').expect(200);
      expect(await upgradeResponse(`${url}?id=${body.connectionToken}`)).toEqual({
        status: 404,
        body: 'No Connection with that ID',
      });
    });

    it.each([
      [
        'without Sec-WebSocket-Key',
        'GET',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13',
        400,
      ],
      [
        'with Sec-WebSocket-Version 12',
        'GET',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 12',
        400,
      ],
      [
        'by POST',
        'POST',
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13',
        405,
      ],
    ])('an upgrade %s is refused', async (_name, method, headers, status) => {
      const response = await rawHttp(server.url, `${method} /hardened HTTP/1.1\r\nHost: x\r\n${headers}\r\n\r\n`);
      expect(response.status).toBe(status);
    });

    it('a GET without an id gets 400, and with an unknown id 404', async () => {
      expect((await request(server.url).get('/hardened').expect(400)).text).toBe('Connection ID required');
      expect((await request(server.url).get('/hardened?id=nope').expect(404)).text).toBe('No Connection with that ID');
    });

    it('a client that resets its socket while being authenticated does not hurt the server', async () => {
      const gate = resetAuthenticationGate();
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      socket.write(
        'GET /hardened HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nAuthorization: Bearer gate\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      await gate.entered;
      socket.resetAndDestroy();
      await new Promise((resolve) => socket.once('close', resolve));
      // The server now answers 401 on a socket the client has reset.
      gate.open();
      await expectBystanderUnharmed('after a reset');
      await expectBystanderUnharmed('still after a reset');
    });
  });

  it('after all of them, no connection is left and memory is back to its baseline', async () => {
    await bystander.stop();
    const hubs = [hardened, server.app.get(PlainHub), server.app.get(SmallMessagesHardenedHub)];
    for (const hub of hubs) await waitForConnectionCount(hub, 0);
    for (const hub of hubs) {
      expect(hub.endpoint.connectionCount).toBe(0);
      expect((hub.endpoint.context.lifetimeManager as DefaultHubLifetimeManager).connectionCount).toBe(0);
    }
    // Negotiations that no transport claimed expire after the hub's disconnectTimeout (300 ms).
    await waitFor(() => hardened.endpoint.http.connectionManager.size === 0);
    // Every connection object of the suite is garbage now...
    // (Nothing may deref them before this collection: a deref keeps its target for the turn.)
    const memory = memoryAfterGc();
    expect(connectionsOpened.length).toBeGreaterThan(60);
    expect(connectionsOpened.filter((connection) => connection.deref() !== undefined)).toHaveLength(0);
    // ...and what stays is the code and caches the suite loaded (about 2 MiB here).
    expect(memory - baselineMemory).toBeLessThan(4 * 1024 * 1024);
  });
});

/** Connections close on the server a moment after the client sees its socket close. */
function waitForConnectionCount(hub: { endpoint: { connectionCount: number } }, count: number): Promise<void> {
  return waitFor(() => hub.endpoint.connectionCount === count);
}

/** Polls a server-side condition that no event announces, for at most 5 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
