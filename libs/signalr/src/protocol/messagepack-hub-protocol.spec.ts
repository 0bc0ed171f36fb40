import { type HubMessage as ClientHubMessage, NullLogger } from '@microsoft/signalr';
import { MessagePackHubProtocol as ClientProtocol } from '@microsoft/signalr-protocol-msgpack';
import { Packr } from 'msgpackr';
import { frameMessage } from './binary-message-format.js';
import { type HubMessage, MessageType } from './hub-message.js';
import { HubProtocolError } from './hub-protocol-error.js';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';
import { TransferFormat } from './transfer-format.js';

const protocol = new MessagePackHubProtocol();
const client = new ClientProtocol();
/** For hand-made payloads: plain MessagePack. */
const packr = new Packr({ useRecords: false, variableMapSize: true });

const BINDING_1 =
  'Error binding argument 1. Make sure that the types of the provided values match the types of the hub method being invoked.';

// ---- helpers ----------------------------------------------------------------

function parse(input: Uint8Array, maxMessageSize = 1 << 20) {
  const messages: HubMessage[] = [];
  const consumed = protocol.parseMessages(input as Buffer, maxMessageSize, (m) => messages.push(m));
  return { consumed, messages };
}

/** Parses input that holds exactly one message. */
function parseOne(input: Uint8Array): HubMessage {
  const { consumed, messages } = parse(input);
  expect(consumed).toBe(input.length);
  expect(messages).toHaveLength(1);
  return messages[0];
}

/** A frame around the plain MessagePack encoding of `value`. */
function framed(value: unknown): Buffer {
  return frameMessage(packr.pack(value));
}

/** A frame around raw payload bytes. */
function raw(...parts: (number[] | Uint8Array)[]): Buffer {
  return frameMessage(Buffer.concat(parts.map((part) => Uint8Array.from(part))));
}

function clientWrite(message: ClientHubMessage): Buffer {
  return Buffer.from(client.writeMessage(message) as ArrayBuffer);
}

function clientParse(bytes: Buffer): ClientHubMessage[] {
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return client.parseMessages(copy as ArrayBuffer, NullLogger.instance);
}

function protocolError(input: Uint8Array): HubProtocolError {
  try {
    parse(input);
  } catch (error) {
    expect(error).toBeInstanceOf(HubProtocolError);
    return error as HubProtocolError;
  }
  throw new Error('expected a HubProtocolError');
}

function expectError(input: Uint8Array, message: string): void {
  expect(protocolError(input).message).toBe(message);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

const blob = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
const when = new Date(Date.UTC(2024, 1, 29, 12, 34, 56, 789));

// ---- tests --------------------------------------------------------------------

describe('MessagePackHubProtocol', () => {
  it('describes itself as ASP.NET Core does', () => {
    expect(protocol.name).toBe('messagepack');
    expect(protocol.version).toBe(2);
    expect(protocol.transferFormat).toBe(TransferFormat.Binary);
    expect(protocol.isVersionSupported(1)).toBe(true);
    expect(protocol.isVersionSupported(2)).toBe(true);
    expect(protocol.isVersionSupported(3)).toBe(false);
  });

  describe('round trip of every message type', () => {
    const messages: HubMessage[] = [
      {
        type: MessageType.Invocation,
        invocationId: '1',
        target: 'Send',
        arguments: ['hi', 42, null],
      },
      { type: MessageType.Invocation, target: 'Notify', arguments: [] },
      {
        type: MessageType.Invocation,
        invocationId: '2',
        target: 'Upload',
        arguments: [blob, when],
        streamIds: ['s1', 's2'],
        headers: { a: 'b', trace: 'x-y' },
      },
      {
        type: MessageType.StreamInvocation,
        invocationId: '3',
        target: 'Counter',
        arguments: [10, { delay: 0.5 }],
      },
      {
        type: MessageType.StreamInvocation,
        invocationId: '4',
        target: 'Echo',
        arguments: [],
        streamIds: ['7'],
      },
      {
        type: MessageType.StreamItem,
        invocationId: '3',
        item: { n: 1, tags: ['a'] },
      },
      {
        type: MessageType.StreamItem,
        invocationId: '3',
        item: null,
        headers: { h: 'v' },
      },
      { type: MessageType.Completion, invocationId: '1', error: 'boom' },
      { type: MessageType.Completion, invocationId: '1' },
      { type: MessageType.Completion, invocationId: '1', result: null },
      {
        type: MessageType.Completion,
        invocationId: '1',
        result: { when, blob, list: [1, 2.5, 'x'] },
      },
      { type: MessageType.CancelInvocation, invocationId: '3' },
      { type: MessageType.Ping },
      { type: MessageType.Close, allowReconnect: false },
      {
        type: MessageType.Close,
        error: 'Connection closed with an error.',
        allowReconnect: true,
      },
      { type: MessageType.Ack, sequenceId: 1 },
      { type: MessageType.Sequence, sequenceId: 2 ** 40 },
    ];
    it.each(messages.map((m) => [MessageType[m.type], m] as const))('%s', (_name, message) => {
      expect(parseOne(protocol.writeMessage(message))).toEqual(message);
    });

    it('all of them concatenated in one buffer', () => {
      const input = Buffer.concat(messages.map((m) => protocol.writeMessage(m)));
      const { consumed, messages: parsed } = parse(input);
      expect(consumed).toBe(input.length);
      expect(parsed).toEqual(messages);
    });
  });

  describe('reads what the official client writes', () => {
    it('the exact bytes the client was seen sending for invoke("Echo", "hi")', () => {
      const probe = Buffer.from([
        0x0e,
        0x95,
        0x01,
        0x80,
        0xa1,
        0x30,
        0xa4,
        ...Buffer.from('Echo'),
        0x91,
        0xa2,
        ...Buffer.from('hi'),
      ]);
      expect(
        hex(
          clientWrite({
            type: 1,
            invocationId: '0',
            target: 'Echo',
            arguments: ['hi'],
          }),
        ),
      ).toBe(hex(probe));
      expect(parseOne(probe)).toEqual({
        type: MessageType.Invocation,
        invocationId: '0',
        target: 'Echo',
        arguments: ['hi'],
      });
    });

    it('a non-blocking invocation (nil id) and an empty-string id', () => {
      expect(parseOne(clientWrite({ type: 1, target: 'Send', arguments: [1] }))).toEqual({
        type: MessageType.Invocation,
        target: 'Send',
        arguments: [1],
      });
      expect(parseOne(framed([1, {}, '', 'Send', [1]]))).toEqual({
        type: MessageType.Invocation,
        target: 'Send',
        arguments: [1],
      });
    });

    it('Buffer, Uint8Array and Date arguments', () => {
      const bytes = clientWrite({
        type: 1,
        invocationId: '5',
        target: 'Store',
        arguments: [new Uint8Array(blob), blob, when, { nested: [new Uint8Array([1, 2]), when] }],
      });
      const message = parseOne(bytes) as { arguments: unknown[] };
      const [a, b, c, d] = message.arguments as [Buffer, Buffer, Date, { nested: [Buffer, Date] }];
      expect(Buffer.isBuffer(a)).toBe(true);
      expect(hex(a)).toBe(hex(blob));
      expect(Buffer.isBuffer(b)).toBe(true);
      expect(hex(b)).toBe(hex(blob));
      expect(c).toBeInstanceOf(Date);
      expect(c.getTime()).toBe(when.getTime());
      expect(Buffer.isBuffer(d.nested[0])).toBe(true);
      expect([...d.nested[0]]).toEqual([1, 2]);
      expect(d.nested[1]).toBeInstanceOf(Date);
      expect(d.nested[1].getTime()).toBe(when.getTime());
    });

    it('hands out binary arguments as copies, not views of the receive buffer', () => {
      const bytes = clientWrite({
        type: 1,
        target: 'Store',
        arguments: [Uint8Array.of(1, 2, 3)],
      });
      const [argument] = (parseOne(bytes) as { arguments: Buffer[] }).arguments;
      bytes.fill(0);
      expect([...argument]).toEqual([1, 2, 3]);
      expect(argument.buffer).not.toBe(bytes.buffer);
    });

    it('dates at the edges of the timestamp formats', () => {
      const dates = [
        new Date(0),
        new Date(1_700_000_000_000), // timestamp 32
        new Date(1_700_000_000_123), // timestamp 64
        new Date(-1), // timestamp 96
        new Date(Date.UTC(2500, 0, 1)), // timestamp 64, seconds over 32 bits
        new Date(8.64e15), // timestamp 96
      ];
      const message = parseOne(clientWrite({ type: 1, target: 'T', arguments: dates })) as {
        arguments: Date[];
      };
      expect(message.arguments.map((d) => d.getTime())).toEqual(dates.map((d) => d.getTime()));
    });

    it('large integers as numbers, not BigInt', () => {
      const values = [2 ** 32, 2 ** 53 - 1, -(2 ** 40), 1.5, -0.25];
      const message = parseOne(clientWrite({ type: 1, target: 'T', arguments: values })) as {
        arguments: number[];
      };
      expect(message.arguments).toEqual(values);
    });

    it('a stream invocation with stream ids', () => {
      const bytes = clientWrite({
        type: 4,
        invocationId: '9',
        target: 'Stream',
        arguments: [1],
        streamIds: ['1', '2'],
      });
      expect(parseOne(bytes)).toEqual({
        type: MessageType.StreamInvocation,
        invocationId: '9',
        target: 'Stream',
        arguments: [1],
        streamIds: ['1', '2'],
      });
    });

    it('an invocation with an empty stream id array', () => {
      const bytes = clientWrite({
        type: 1,
        invocationId: '1',
        target: 'T',
        arguments: [],
        streamIds: [],
      });
      expect(parseOne(bytes)).toEqual({
        type: MessageType.Invocation,
        invocationId: '1',
        target: 'T',
        arguments: [],
      });
    });

    it('a stream item (an upload stream)', () => {
      expect(parseOne(clientWrite({ type: 2, invocationId: '1', item: { x: [1, 'a'] } }))).toEqual({
        type: MessageType.StreamItem,
        invocationId: '1',
        item: { x: [1, 'a'] },
      });
    });

    it('completions of each kind (client results)', () => {
      expect(parseOne(clientWrite({ type: 3, invocationId: '1', error: 'failed' }))).toEqual({
        type: MessageType.Completion,
        invocationId: '1',
        error: 'failed',
      });
      expect(parseOne(clientWrite({ type: 3, invocationId: '2' }))).toEqual({
        type: MessageType.Completion,
        invocationId: '2',
      });
      const withNull = parseOne(clientWrite({ type: 3, invocationId: '3', result: null }));
      expect(withNull).toEqual({
        type: MessageType.Completion,
        invocationId: '3',
        result: null,
      });
      expect(Object.hasOwn(withNull, 'result')).toBe(true);
      expect(parseOne(clientWrite({ type: 3, invocationId: '4', result: [blob, when] }))).toEqual({
        type: MessageType.Completion,
        invocationId: '4',
        result: [blob, when],
      });
    });

    it('cancel, ping, close, ack and sequence', () => {
      expect(parseOne(clientWrite({ type: 5, invocationId: '7' }))).toEqual({
        type: MessageType.CancelInvocation,
        invocationId: '7',
      });
      expect(parseOne(clientWrite({ type: 6 }))).toEqual({
        type: MessageType.Ping,
      });
      // The client writes [7, nil], whatever the message says.
      const close = clientWrite({
        type: 7,
        error: 'ignored',
        allowReconnect: true,
      });
      expect(hex(close)).toBe('039207c0');
      expect(parseOne(close)).toEqual({ type: MessageType.Close });
      expect(parseOne(clientWrite({ type: 8, sequenceId: 12 }))).toEqual({
        type: MessageType.Ack,
        sequenceId: 12,
      });
      expect(parseOne(clientWrite({ type: 9, sequenceId: 2 ** 33 }))).toEqual({
        type: MessageType.Sequence,
        sequenceId: 2 ** 33,
      });
    });

    it('headers', () => {
      const bytes = clientWrite({
        type: 1,
        target: 'T',
        arguments: [],
        headers: { traceparent: '00-abc-01', 'x-other': 'é' },
      });
      expect(parseOne(bytes)).toEqual({
        type: MessageType.Invocation,
        target: 'T',
        arguments: [],
        headers: { traceparent: '00-abc-01', 'x-other': 'é' },
      });
    });

    it('a 64 KB binary argument', () => {
      const big = Buffer.alloc(65536, 0xab);
      const message = parseOne(clientWrite({ type: 1, target: 'Up', arguments: [big] })) as {
        arguments: Buffer[];
      };
      expect(message.arguments[0].equals(big)).toBe(true);
    });

    it('many client messages in one buffer, split at every byte', () => {
      const input = Buffer.concat([
        clientWrite({ type: 6 }),
        clientWrite({
          type: 1,
          invocationId: '1',
          target: 'A',
          arguments: ['x'],
        }),
        clientWrite({ type: 3, invocationId: '2', result: 5 }),
        clientWrite({ type: 7 }),
      ]);
      for (let cut = 0; cut <= input.length; cut++) {
        const first = parse(input.subarray(0, cut));
        const rest = Buffer.concat([input.subarray(first.consumed)]);
        const second = parse(rest);
        expect(first.consumed + second.consumed).toBe(input.length);
        expect([...first.messages, ...second.messages].map((m) => m.type)).toEqual([6, 1, 3, 7]);
      }
    });

    it('accepts a plain Uint8Array as input', () => {
      const bytes = new Uint8Array(clientWrite({ type: 6 }));
      expect(parseOne(bytes)).toEqual({ type: MessageType.Ping });
    });
  });

  describe('writes what the official client reads', () => {
    it('an invocation: 6 elements, nil id when non-blocking, empty stream ids', () => {
      const bytes = protocol.writeMessage({
        type: MessageType.Invocation,
        target: 'Echo',
        arguments: ['hi'],
      });
      // [1, {}, nil, "Echo", ["hi"], []]
      expect(hex(bytes)).toBe(`0e960180c0a4${hex(Buffer.from('Echo'))}91a2${hex(Buffer.from('hi'))}90`);
      expect(clientParse(bytes)).toEqual([
        {
          type: 1,
          headers: {},
          target: 'Echo',
          arguments: ['hi'],
          streamIds: [],
        },
      ]);
      const blocking = protocol.writeMessage({
        type: MessageType.Invocation,
        invocationId: '12',
        target: 'Ask',
        arguments: [1],
        headers: { k: 'v' },
      });
      expect(clientParse(blocking)).toEqual([
        {
          type: 1,
          headers: { k: 'v' },
          invocationId: '12',
          target: 'Ask',
          arguments: [1],
          streamIds: [],
        },
      ]);
    });

    it('the same bytes as the client for identical layouts, Buffer and Date included', () => {
      const args = [blob, new Uint8Array(blob), when, new Date(1_700_000_000_000), { b: blob, d: when }];
      const pairs: [HubMessage, ClientHubMessage][] = [
        [
          {
            type: MessageType.Invocation,
            invocationId: '1',
            target: 'T',
            arguments: args,
          },
          {
            type: 1,
            invocationId: '1',
            target: 'T',
            arguments: args,
            streamIds: [],
          },
        ],
        [
          { type: MessageType.StreamItem, invocationId: '1', item: args },
          { type: 2, invocationId: '1', item: args },
        ],
        [
          { type: MessageType.Completion, invocationId: '1', result: args },
          { type: 3, invocationId: '1', result: args },
        ],
        [
          { type: MessageType.Completion, invocationId: '1', error: 'e' },
          { type: 3, invocationId: '1', error: 'e' },
        ],
        [
          { type: MessageType.Completion, invocationId: '1' },
          { type: 3, invocationId: '1' },
        ],
        [
          { type: MessageType.CancelInvocation, invocationId: '1' },
          { type: 5, invocationId: '1' },
        ],
        [{ type: MessageType.Ping }, { type: 6 }],
        [
          { type: MessageType.Ack, sequenceId: 3 },
          { type: 8, sequenceId: 3 },
        ],
        [
          { type: MessageType.Sequence, sequenceId: 300 },
          { type: 9, sequenceId: 300 },
        ],
      ];
      for (const [ours, theirs] of pairs) {
        expect(hex(protocol.writeMessage(ours))).toBe(hex(clientWrite(theirs)));
      }
    });

    it('Buffer as bin and Date as a timestamp, decoded by the client to the same bytes and time', () => {
      const bytes = protocol.writeMessage({
        type: MessageType.Invocation,
        target: 'Receive',
        arguments: [blob, when],
      });
      expect(bytes.includes(Buffer.from([0xc5, 0x01, 0x2c]))).toBe(true); // bin 16, 300 bytes
      expect(bytes.includes(Buffer.from([0xd7, 0xff]))).toBe(true); // timestamp 64
      const [message] = clientParse(bytes) as unknown as [{ arguments: [Uint8Array, Date] }];
      expect(message.arguments[0]).toBeInstanceOf(Uint8Array);
      expect(hex(message.arguments[0])).toBe(hex(blob));
      expect(message.arguments[1]).toBeInstanceOf(Date);
      expect(message.arguments[1].getTime()).toBe(when.getTime());
    });

    it('completions of each kind', () => {
      const read = (message: HubMessage) => clientParse(protocol.writeMessage(message))[0];
      expect(
        read({
          type: MessageType.Completion,
          invocationId: '1',
          error: 'Boom',
        }),
      ).toEqual({
        type: 3,
        headers: {},
        invocationId: '1',
        error: 'Boom',
        result: undefined,
      });
      expect(read({ type: MessageType.Completion, invocationId: '2' })).toEqual({
        type: 3,
        headers: {},
        invocationId: '2',
        error: undefined,
        result: undefined,
      });
      expect(read({ type: MessageType.Completion, invocationId: '3', result: null })).toEqual({
        type: 3,
        headers: {},
        invocationId: '3',
        error: undefined,
        result: null,
      });
      expect(
        read({
          type: MessageType.Completion,
          invocationId: '4',
          result: { a: [1, 'b'] },
        }),
      ).toEqual({
        type: 3,
        headers: {},
        invocationId: '4',
        error: undefined,
        result: { a: [1, 'b'] },
      });
      // Result kinds on the wire: 1 error, 2 void, 3 non-void.
      expect(
        hex(
          protocol.writeMessage({
            type: MessageType.Completion,
            invocationId: '1',
            error: 'x',
          }),
        ),
      ).toBe('08950380a13101a178');
      expect(
        hex(
          protocol.writeMessage({
            type: MessageType.Completion,
            invocationId: '1',
          }),
        ),
      ).toBe('06940380a13102');
      expect(
        hex(
          protocol.writeMessage({
            type: MessageType.Completion,
            invocationId: '1',
            result: undefined,
          }),
        ),
      ).toBe('07950380a13103c0');
    });

    it('close with and without allowReconnect', () => {
      const close = protocol.writeMessage({
        type: MessageType.Close,
        error: 'Connection closed with an error.',
        allowReconnect: true,
      });
      expect(clientParse(close)).toEqual([
        {
          type: 7,
          error: 'Connection closed with an error.',
          allowReconnect: true,
        },
      ]);
      const plain = protocol.writeMessage({ type: MessageType.Close });
      expect(hex(plain)).toBe('049307c0c2'); // [7, nil, false]
      expect(clientParse(plain)).toEqual([{ type: 7, error: null, allowReconnect: false }]);
    });

    it('stream items, pings, acks and sequences', () => {
      const input = Buffer.concat([
        protocol.writeMessage({
          type: MessageType.StreamItem,
          invocationId: '1',
          item: 'a',
        }),
        protocol.writeMessage({ type: MessageType.Ping }),
        protocol.writeMessage({ type: MessageType.Ack, sequenceId: 5 }),
        protocol.writeMessage({ type: MessageType.Sequence, sequenceId: 6 }),
      ]);
      expect(clientParse(input)).toEqual([
        { type: 2, headers: {}, invocationId: '1', item: 'a' },
        { type: 6 },
        { type: 8, sequenceId: 5 },
        { type: 9, sequenceId: 6 },
      ]);
    });

    it('a 64 KB binary argument', () => {
      const big = Buffer.alloc(65536, 0x5a);
      const bytes = protocol.writeMessage({
        type: MessageType.Invocation,
        target: 'Down',
        arguments: [big],
      });
      expect(bytes[2]).toBe(0x04); // 3-byte length prefix
      const [message] = clientParse(bytes) as unknown as [{ arguments: [Uint8Array] }];
      expect(Buffer.from(message.arguments[0]).equals(big)).toBe(true);
    });

    it('JavaScript values the JSON protocol also handles', () => {
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      class Money {
        toJSON() {
          return '1.00 EUR';
        }
      }
      const bytes = protocol.writeMessage({
        type: MessageType.Invocation,
        target: 'T',
        arguments: [
          undefined,
          { kept: 1, dropped: undefined },
          new Point(1, 2),
          new Money(),
          new Map<string, number>([['a', 1]]),
          new Set([1, 2]),
          new Float32Array([1.5]),
          123n,
          new Date(Number.NaN),
          2 ** 40,
        ],
      });
      const [message] = clientParse(bytes) as unknown as [{ arguments: unknown[] }];
      expect(message.arguments).toEqual([
        null,
        { kept: 1 },
        { x: 1, y: 2 },
        '1.00 EUR',
        { a: 1 },
        [1, 2],
        new Uint8Array(new Float32Array([1.5]).buffer),
        123,
        null,
        2 ** 40,
      ]);
    });

    it('sequence ids beyond 32 bits as integers (int64), not floats', () => {
      const bytes = protocol.writeMessage({
        type: MessageType.Sequence,
        sequenceId: 2 ** 40,
      });
      expect(hex(bytes)).toBe('0b9209d30000010000000000');
      expect(clientParse(bytes)).toEqual([{ type: 9, sequenceId: 2 ** 40 }]);
    });

    it('returns bytes of its own: later writes do not change earlier results', () => {
      const first: HubMessage = {
        type: MessageType.StreamItem,
        invocationId: '1',
        item: 'first',
      };
      const big: HubMessage = {
        type: MessageType.StreamItem,
        invocationId: '2',
        item: Buffer.alloc(100_000, 1),
      };
      const a = protocol.writeMessage(first);
      const before = hex(a);
      const b = protocol.writeMessage(big);
      protocol.writeMessage({
        type: MessageType.StreamItem,
        invocationId: '3',
        item: 'third!',
      });
      expect(hex(a)).toBe(before);
      expect(parseOne(a)).toEqual(first);
      expect(parseOne(b)).toEqual(big);
    });

    it('returns a fresh buffer for every Ping', () => {
      const a = protocol.writeMessage({ type: MessageType.Ping });
      a[0] = 0;
      expect(hex(protocol.writeMessage({ type: MessageType.Ping }))).toBe('029106');
    });

    it('refuses an unknown message type', () => {
      expect(() => protocol.writeMessage({ type: 42 } as unknown as HubMessage)).toThrow('Unexpected message type: 42');
    });
  });

  describe('framing', () => {
    it('returns 0 consumed for a truncated frame and parses it once complete', () => {
      const bytes = clientWrite({
        type: 1,
        invocationId: '1',
        target: 'T',
        arguments: ['x'.repeat(200)],
      });
      expect(parse(bytes.subarray(0, 1))).toEqual({
        consumed: 0,
        messages: [],
      });
      expect(parse(bytes.subarray(0, bytes.length - 1))).toEqual({
        consumed: 0,
        messages: [],
      });
      expect(parse(bytes).messages).toHaveLength(1);
    });

    it('returns the complete frames of a partial buffer', () => {
      const ping = clientWrite({ type: 6 });
      const invocation = clientWrite({ type: 1, target: 'T', arguments: [1] });
      const input = Buffer.concat([ping, invocation.subarray(0, 4)]);
      expect(parse(input)).toEqual({
        consumed: ping.length,
        messages: [{ type: MessageType.Ping }],
      });
    });

    it('throws when the length prefix is over the maximum, before the body arrives', () => {
      const bytes = clientWrite({
        type: 1,
        target: 'T',
        arguments: ['x'.repeat(100)],
      });
      expect(() => parse(bytes.subarray(0, 2), 50)).toThrow(
        'The maximum message size of 50B was exceeded. The message size can be configured in AddHubOptions.',
      );
      expect(protocol.parseMessages(bytes, bytes.length - 1, () => {})).toBe(bytes.length);
    });

    it('throws for a malformed length prefix', () => {
      expectError(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), 'Messages over 2GB in size are not supported.');
      expectError(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 'Messages over 2GB in size are not supported.');
    });
  });

  describe('refuses malformed messages with ASP.NET Core texts', () => {
    it('a payload that is not an array', () => {
      expectError(raw([0x01]), 'Unexpected msgpack code 1 (positive fixint) encountered.');
      expectError(raw([0x81, 0xa1, 0x61, 0x01]), 'Unexpected msgpack code 129 (fixmap) encountered.');
      expectError(raw([0xc0]), 'Unexpected msgpack code 192 (nil) encountered.');
      expectError(raw([0xc1]), 'Unexpected msgpack code 193 ((never used)) encountered.');
      expectError(raw([0xff]), 'Unexpected msgpack code 255 (negative fixint) encountered.');
      expectError(raw([0xa3, 0x61, 0x62, 0x63]), 'Unexpected msgpack code 163 (fixstr) encountered.');
    });

    it('an empty payload, or an array longer than the payload', () => {
      expectError(raw([]), 'Attempted to read past the end of the stream.');
      expectError(raw([0x93, 0x06]), 'Attempted to read past the end of the stream.');
      expectError(raw([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), 'Attempted to read past the end of the stream.');
    });

    it('a missing or non-integer message type', () => {
      const text = "Reading 'messageType' as Int32 failed.";
      expectError(framed([]), text);
      expectError(framed(['1']), text);
      expectError(framed([1.5]), text);
      expectError(framed([null]), text);
      expectError(framed([2 ** 31]), text);
      expect(protocolError(framed([2 ** 31])).cause).toBeInstanceOf(RangeError);
    });

    it('bad headers', () => {
      expectError(framed([1, [], null, 'T', []]), "Reading map length for 'headers' failed.");
      expectError(framed([1, null, null, 'T', []]), "Reading map length for 'headers' failed.");
      expectError(framed([1]), "Reading map length for 'headers' failed.");
      expectError(framed([1, { '': 'v' }, null, 'T', []]), 'Null or empty key in header.');
      expectError(framed([1, { k: '' }, null, 'T', []]), 'Null or empty value in header.');
      expectError(framed([1, { k: null }, null, 'T', []]), 'Null or empty value in header.');
      expectError(framed([1, new Map([[null, 'v']]), null, 'T', []]), 'Null or empty key in header.');
      expectError(framed([1, new Map([[5, 'v']]), null, 'T', []]), "Reading 'headers[0].Key' as String failed.");
      expectError(framed([2, { a: 'b', k: 5 }, '1', 0]), "Reading 'headers[1].Value' as String failed.");
      expectError(
        raw([0x95, 0x01, 0x82, 0xa1, 0x6b, 0xa1, 0x31, 0xa1, 0x6b, 0xa1, 0x32, 0xc0, 0xa1, 0x54, 0x90]),
        'An item with the same key has already been added. Key: k',
      );
      // A header called __proto__ is an own property, not a prototype change.
      const message = parseOne(framed([1, new Map([['__proto__', 'x']]), null, 'T', []]));
      expect(Object.hasOwn(message, 'headers')).toBe(true);
      expect((message as { headers: object }).headers).toHaveProperty('__proto__', 'x');
      expect(Object.getPrototypeOf((message as { headers: object }).headers)).toBe(Object.prototype);
    });

    it('bad invocations', () => {
      expectError(framed([1, {}, 5, 'T', []]), "Reading 'invocationId' as String failed.");
      expectError(framed([1, {}]), "Reading 'invocationId' as String failed.");
      expectError(framed([1, {}, '1']), "Reading 'target' as String failed.");
      expectError(framed([1, {}, '1', 7, []]), "Reading 'target' as String failed.");
      expectError(framed([1, {}, '1', null, []]), 'Null or empty target for Invocation message.');
      expectError(framed([1, {}, '1', '', []]), 'Null or empty target for Invocation message.');
      expectError(framed([1, {}, '1', 'T']), "Reading array length for 'arguments' failed.");
      expectError(framed([1, {}, '1', 'T', 'args']), "Reading array length for 'arguments' failed.");
      expectError(framed([1, {}, '1', 'T', null]), "Reading array length for 'arguments' failed.");
      expectError(framed([1, {}, '1', 'T', [], null]), "Reading array length for 'streamIds' failed.");
      expectError(framed([1, {}, '1', 'T', [], ['a', '']]), 'Null or empty value in streamIds received.');
      expectError(framed([1, {}, '1', 'T', [], [null]]), 'Null or empty value in streamIds received.');
      expectError(framed([1, {}, '1', 'T', [], [1]]), 'Unexpected msgpack code 1 (positive fixint) encountered.');
    });

    it('bad stream invocations', () => {
      expectError(framed([4, {}, null, 'T', []]), 'Null or empty invocation ID for StreamInvocation message.');
      expectError(framed([4, {}, '', 'T', []]), 'Null or empty invocation ID for StreamInvocation message.');
      expectError(framed([4, {}, '1', '', []]), 'Null or empty target for StreamInvocation message.');
      expectError(framed([4, {}, '1', 'T', {}]), "Reading array length for 'arguments' failed.");
    });

    it('bad stream items', () => {
      expectError(framed([2, {}, null, 1]), 'Null or empty invocation ID for StreamItem message.');
      expectError(framed([2, {}, 1, 1]), "Reading 'invocationId' as String failed.");
      expectError(framed([2, {}, '1']), "Deserializing object of the `Object` type for 'item' failed.");
      expectError(
        raw([0x94, 0x02, 0x80, 0xa1, 0x31, 0xc1]),
        "Deserializing object of the `Object` type for 'item' failed.",
      );
    });

    it('bad completions', () => {
      expectError(framed([3, {}, '', 2]), 'Null or empty invocation ID for Completion message.');
      expectError(framed([3, {}, '1']), "Reading 'resultKind' as Int32 failed.");
      expectError(framed([3, {}, '1', 'x']), "Reading 'resultKind' as Int32 failed.");
      expectError(framed([3, {}, '1', 0]), 'Invalid invocation result kind.');
      expectError(framed([3, {}, '1', 4, 1]), 'Invalid invocation result kind.');
      expectError(framed([3, {}, '1', -1]), 'Invalid invocation result kind.');
      expectError(framed([3, {}, '1', 1, 5]), "Reading 'error' as String failed.");
      expectError(framed([3, {}, '1', 1]), "Reading 'error' as String failed.");
    });

    it('completions ASP.NET Core reads leniently', () => {
      // A nil error is a void completion.
      expect(parseOne(framed([3, {}, '1', 1, null]))).toEqual({
        type: MessageType.Completion,
        invocationId: '1',
      });
      // A result that cannot be read fails the call, not the connection.
      const failed = {
        type: MessageType.Completion,
        invocationId: '1',
        error:
          "Error trying to deserialize result to Object. Deserializing object of the `Object` type for 'argument' failed.",
      };
      expect(parseOne(framed([3, {}, '1', 3]))).toEqual(failed);
      expect(parseOne(raw([0x95, 0x03, 0x80, 0xa1, 0x31, 0x03, 0xd4, 0x05, 0x00]))).toEqual(failed);
    });

    it('bad cancel, close, ack and sequence messages', () => {
      expectError(framed([5, {}, null]), 'Null or empty invocation ID for CancelInvocation message.');
      expectError(framed([5, {}]), "Reading 'invocationId' as String failed.");
      expectError(framed([7]), "Reading 'error' as String failed.");
      expectError(framed([7, 1]), "Reading 'error' as String failed.");
      expectError(framed([7, null, 1]), "Reading 'allowReconnect' as Boolean failed.");
      expectError(framed([7, null, null]), "Reading 'allowReconnect' as Boolean failed.");
      expectError(framed([8]), "Reading 'sequenceId' as Int64 failed.");
      expectError(framed([8, '1']), "Reading 'sequenceId' as Int64 failed.");
      expectError(framed([9, 1.5]), "Reading 'sequenceId' as Int64 failed.");
      expectError(
        raw([0x92, 0x09, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        "Reading 'sequenceId' as Int64 failed.",
      );
    });

    it('close messages as ASP.NET Core reads them', () => {
      expect(parseOne(framed([7, null]))).toEqual({ type: MessageType.Close });
      expect(parseOne(framed([7, '', false]))).toEqual({
        type: MessageType.Close,
        error: '',
        allowReconnect: false,
      });
      expect(parseOne(framed([7, 'bye', true]))).toEqual({
        type: MessageType.Close,
        error: 'bye',
        allowReconnect: true,
      });
    });

    it('truncated values inside a complete frame', () => {
      // ["T" as str8 announcing 5 bytes, 1 present]
      expectError(raw([0x95, 0x01, 0x80, 0xc0, 0xd9, 0x05, 0x54]), "Reading 'target' as String failed.");
      expectError(raw([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x54, 0x91, 0xc5, 0x01]), BINDING_1);
    });
  });

  describe('values', () => {
    it('refuses extension types other than the timestamp, msgpackr records included', () => {
      const invocation = (...value: number[]) => raw([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x54, 0x91], value);
      // An application extension type.
      expectError(invocation(0xd4, 0x05, 0x00), BINDING_1);
      // msgpackr's record definition (0x72) and its "undefined" (0) would be
      // decoded by msgpackr itself: they must not get that far.
      expectError(invocation(0xd4, 0x72, 0x40, 0x91, 0xa1, 0x61, 0x40, 0x01), BINDING_1);
      expectError(invocation(0xd4, 0x00, 0x00), BINDING_1);
      // A timestamp of an impossible size.
      expectError(invocation(0xd4, 0xff, 0x00), BINDING_1);
      expectError(invocation(0xd8, 0xff, ...Array.from({ length: 16 }, () => 0)), BINDING_1);
      // 0xc1 is never used.
      expectError(invocation(0xc1), BINDING_1);
      // The failing argument is named.
      expect(protocolError(raw([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x54, 0x93, 0x01, 0x02, 0xd4, 0x05, 0x00])).message).toBe(
        BINDING_1.replace('argument 1', 'argument 3'),
      );
    });

    it('refuses values nested more than 500 deep, iteratively', () => {
      const nested = (depth: number) => {
        let value: unknown = 1;
        for (let i = 0; i < depth; i++) value = [value];
        return value;
      };
      expect(
        (
          parseOne(framed([1, {}, null, 'T', [nested(500)]])) as {
            arguments: unknown[];
          }
        ).arguments,
      ).toHaveLength(1);
      expectError(framed([1, {}, null, 'T', [nested(501)]]), BINDING_1);
      // A million levels: no stack overflow, just a HubProtocolError.
      const deep = Buffer.concat([
        Buffer.from([0x95, 0x01, 0x80, 0xc0, 0xa1, 0x54, 0x91]),
        Buffer.alloc(1_000_000, 0x91),
        Buffer.from([0x01]),
      ]);
      expectError(frameMessage(deep), BINDING_1);
    });

    it('maps become plain objects without prototype changes', () => {
      const payload = framed([
        1,
        {},
        null,
        'T',
        [
          new Map<unknown, unknown>([
            ['__proto__', { polluted: true }],
            [1, 'one'],
          ]),
        ],
      ]);
      const [argument] = (parseOne(payload) as { arguments: Record<string, unknown>[] }).arguments;
      expect(Object.getPrototypeOf(argument)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(argument['1']).toBe('one');
    });

    it('ignores unknown message types and extra elements', () => {
      const input = Buffer.concat([
        framed([42, 'future', { x: 1 }]),
        framed([6, 'extra']),
        framed([8, 1, 'extra']),
        framed([1, {}, null, 'T', [], [], 'extra']),
      ]);
      const { consumed, messages } = parse(input);
      expect(consumed).toBe(input.length);
      expect(messages).toEqual([
        { type: MessageType.Ping },
        { type: MessageType.Ack, sequenceId: 1 },
        { type: MessageType.Invocation, target: 'T', arguments: [] },
      ]);
    });

    it('messages before a malformed one are delivered, then it throws', () => {
      const input = Buffer.concat([framed([6]), raw([0x01]), framed([6])]);
      const messages: HubMessage[] = [];
      expect(() => protocol.parseMessages(input, 1000, (m) => messages.push(m))).toThrow(HubProtocolError);
      expect(messages).toEqual([{ type: MessageType.Ping }]);
    });
  });

  describe('fuzzing', () => {
    /** Deterministic PRNG (mulberry32), so a failure can be replayed. */
    function random(seed: number) {
      return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    function onlyProtocolErrors(input: Uint8Array, label: string) {
      try {
        protocol.parseMessages(input as Buffer, 4096, () => {});
      } catch (error) {
        if (!(error instanceof HubProtocolError)) {
          throw new Error(`${label}: ${hex(input)} threw ${String(error)}`);
        }
      }
    }

    const samples = [
      clientWrite({
        type: 1,
        invocationId: '1',
        target: 'Send',
        arguments: ['hi', 42, blob.subarray(0, 20), when, { a: [1, null, true] }],
      }),
      clientWrite({
        type: 4,
        invocationId: '2',
        target: 'S',
        arguments: [1.5],
        streamIds: ['a'],
      }),
      clientWrite({
        type: 2,
        invocationId: '3',
        item: { x: 'y' },
        headers: { h: 'v' },
      }),
      clientWrite({ type: 3, invocationId: '4', result: [when] }),
      clientWrite({ type: 3, invocationId: '4', error: 'e' }),
      clientWrite({ type: 5, invocationId: '5' }),
      protocol.writeMessage({
        type: MessageType.Close,
        error: 'x',
        allowReconnect: true,
      }),
      clientWrite({ type: 8, sequenceId: 9 }),
    ];

    it('random bytes throw nothing but HubProtocolError', () => {
      const next = random(1);
      for (let i = 0; i < 5000; i++) {
        const length = Math.floor(next() * 64);
        const input = Buffer.alloc(length);
        for (let j = 0; j < length; j++) input[j] = Math.floor(next() * 256);
        onlyProtocolErrors(input, 'random');
        // The same bytes behind a valid length prefix, so the body is parsed.
        onlyProtocolErrors(frameMessage(input), 'random framed');
        // And after a valid array header and message type.
        onlyProtocolErrors(raw([0x95, 1 + Math.floor(next() * 9)], input), 'random body');
      }
    });

    it('mutated and truncated client messages throw nothing but HubProtocolError', () => {
      const next = random(2);
      for (let i = 0; i < 20000; i++) {
        const sample = samples[i % samples.length];
        // Mutate the payload only, keeping the frame length right.
        const payload = Buffer.from(sample.subarray(1));
        const flips = 1 + Math.floor(next() * 3);
        for (let f = 0; f < flips; f++) {
          payload[Math.floor(next() * payload.length)] = Math.floor(next() * 256);
        }
        const cut = Math.floor(next() * (payload.length + 1));
        onlyProtocolErrors(frameMessage(payload), 'mutated');
        onlyProtocolErrors(frameMessage(payload.subarray(0, cut)), 'mutated and cut');
      }
    });
  });
});
