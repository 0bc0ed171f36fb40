import fc from 'fast-check';
import { HandshakeProtocol, HandshakeTooLargeError } from './handshake-protocol.js';
import type { HubMessage } from './hub-message.js';
import { HubProtocolError } from './hub-protocol-error.js';
import { frameMessage } from './binary-message-format.js';
import type { HubProtocol } from './hub-protocol.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';

const RS = 0x1e;
const protocol = new JsonHubProtocol();
const messagePack = new MessagePackHubProtocol();
/** Far more than any parse of these inputs takes: a parser that loops would not finish in time. */
const TIME_BUDGET_MS = 200;

// ---- inputs ----------------------------------------------------------------

const field = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -2, max: 12 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 3 }),
);

/** Objects with the hub protocol's property names and values of any type: they reach every check. */
const messageLike = fc
  .record(
    {
      type: fc.oneof(fc.integer({ min: -1, max: 12 }), field),
      invocationId: field,
      target: field,
      arguments: field,
      streamIds: field,
      headers: field,
      item: field,
      result: field,
      error: field,
      allowReconnect: field,
      sequenceId: field,
      protocol: fc.oneof(fc.constantFrom('json', 'messagepack'), field),
      version: field,
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

const text = fc.oneof(
  messageLike,
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('{"type":1,"target":"A","arguments":[1]}', '{"protocol":"json","version":1}', '{', '"', '\\', '[]'),
  fc.integer({ min: 1, max: 100 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
);

/** A record: text, or raw bytes (invalid UTF-8 included), then maybe the separator. */
const record = fc.tuple(
  fc.oneof(
    { weight: 4, arbitrary: text.map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
  ),
  fc.boolean(),
);

/** Several records, most of them terminated, as one input. */
const input = fc
  .array(record, { maxLength: 6 })
  .map((records) =>
    Buffer.concat(records.flatMap(([bytes, terminated]) => (terminated ? [bytes, Buffer.from([RS])] : [bytes]))),
  );

/** Splits an input into chunks at the given cut points. */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

/** Valid messages of every type a client sends. */
const id = fc.string({ minLength: 1, maxLength: 8 });
const value = fc.jsonValue({ maxDepth: 5 });
const headers = fc.option(
  fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ minLength: 1, maxLength: 5 }), { maxKeys: 2 }),
  {
    nil: undefined,
  },
);
const message: fc.Arbitrary<HubMessage> = fc.oneof(
  fc.record(
    {
      type: fc.constant(1 as const),
      invocationId: id,
      target: id,
      arguments: fc.array(value, { maxLength: 3 }),
      headers,
    },
    { requiredKeys: ['type', 'target', 'arguments'] },
  ),
  fc.record({ type: fc.constant(2 as const), invocationId: id, item: value }),
  fc.record(
    { type: fc.constant(3 as const), invocationId: id, result: value },
    { requiredKeys: ['type', 'invocationId'] },
  ),
  fc.record({ type: fc.constant(3 as const), invocationId: id, error: id }),
  fc.record({ type: fc.constant(5 as const), invocationId: id }),
  fc.constant({ type: 6 as const }),
  fc.record(
    { type: fc.constant(7 as const), error: id, allowReconnect: fc.constant(true) },
    { requiredKeys: ['type'] },
  ),
);

/** MessagePack frames: random bytes, random bodies behind a right length prefix, and written messages with bytes changed or cut. */
const binaryFrame = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => frameMessage(bytes)),
  fc
    .tuple(message, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.nat())
    .map(([m, flips, cut]) => {
      const payload = Buffer.from(messagePack.writeMessage(m));
      const start = payload.length > 1 ? 1 : 0; // keep the length prefix of short messages right
      for (const [at, byte] of flips) payload[start + (at % (payload.length - start))] = byte;
      return cut % 4 === 0 ? payload.subarray(0, cut % (payload.length + 1)) : payload;
    }),
);
const binaryInput = fc.array(binaryFrame, { maxLength: 5 }).map((frames) => Buffer.concat(frames));

// ---- the parsers under test, observed --------------------------------------

interface Outcome {
  messages: HubMessage[];
  consumed: number;
  error?: unknown;
}

function parseAll(bytes: Buffer, maxSize: number, parser: HubProtocol = protocol): Outcome {
  const messages: HubMessage[] = [];
  const started = performance.now();
  try {
    const consumed = parser.parseMessages(bytes, maxSize, (message) => messages.push(message));
    return { messages, consumed };
  } catch (error) {
    return { messages, consumed: -1, error };
  } finally {
    expect(performance.now() - started).toBeLessThan(TIME_BUDGET_MS);
  }
}

/** Feeds chunks as a connection does: what a parse leaves unconsumed goes before the next chunk. */
function parseInChunks(pieces: Buffer[], maxSize: number, parser: HubProtocol = protocol): Outcome {
  const messages: HubMessage[] = [];
  let rest = Buffer.alloc(0);
  for (const piece of pieces) {
    const bytes = Buffer.concat([rest, piece]);
    try {
      const consumed = parser.parseMessages(bytes, maxSize, (message) => messages.push(message));
      rest = bytes.subarray(consumed);
    } catch (error) {
      return { messages, consumed: -1, error };
    }
  }
  return { messages, consumed: 0 };
}

describe('fuzzing the frame parsers', () => {
  describe('JsonHubProtocol.parseMessages', () => {
    it('throws nothing but HubProtocolError, and consumes exactly the complete records', () => {
      fc.assert(
        fc.property(input, fc.integer({ min: 1, max: 200 }), (bytes, maxSize) => {
          const { consumed, error, messages } = parseAll(bytes, maxSize);
          if (error !== undefined) {
            expect(error).toBeInstanceOf(HubProtocolError);
            return;
          }
          expect(consumed).toBeGreaterThanOrEqual(0);
          expect(consumed).toBeLessThanOrEqual(bytes.length);
          if (consumed > 0) expect(bytes[consumed - 1]).toBe(RS);
          // What is left is one incomplete record, within the size limit.
          expect(bytes.indexOf(RS, consumed)).toBe(-1);
          expect(bytes.length - consumed).toBeLessThanOrEqual(maxSize);
          let records = 0;
          for (let i = 0; i < consumed; i++) if (bytes[i] === RS) records++;
          expect(messages.length).toBeLessThanOrEqual(records);
        }),
        { numRuns: 2000 },
      );
    });

    it('parses an input cut into pieces exactly as the whole', () => {
      fc.assert(
        fc.property(input, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
          const whole = parseAll(bytes, 1 << 16);
          const pieces = parseInChunks(chunks(bytes, cuts), 1 << 16);
          expect(pieces.messages).toEqual(whole.messages);
          expect(pieces.error === undefined).toBe(whole.error === undefined);
          if (whole.error) expect((pieces.error as Error).message).toBe((whole.error as Error).message);
        }),
        { numRuns: 1000 },
      );
    });

    it('reads back every message it writes', () => {
      fc.assert(
        fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (messages) => {
          const bytes = Buffer.concat(messages.map((m) => protocol.writeMessage(m)));
          const { messages: read, consumed, error } = parseAll(bytes, 1 << 20);
          expect(error).toBeUndefined();
          expect(consumed).toBe(bytes.length);
          // Compared as JSON (-0 and 0 are the same number on the wire), in any property order.
          expect(read.map(canonical)).toEqual(messages.map(canonical));
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('MessagePackHubProtocol.parseMessages', () => {
    it('throws nothing but HubProtocolError, and leaves no complete frame unconsumed', () => {
      fc.assert(
        fc.property(binaryInput, fc.integer({ min: 1, max: 200 }), (bytes, maxSize) => {
          const { consumed, error } = parseAll(bytes, maxSize, messagePack);
          if (error !== undefined) {
            expect(error).toBeInstanceOf(HubProtocolError);
            return;
          }
          expect(consumed).toBeGreaterThanOrEqual(0);
          expect(consumed).toBeLessThanOrEqual(bytes.length);
          // What is left holds no whole frame: parsed alone, nothing of it is consumed.
          expect(parseAll(bytes.subarray(consumed), maxSize, messagePack)).toMatchObject({ consumed: 0, messages: [] });
        }),
        { numRuns: 2000 },
      );
    });

    it('parses an input cut into pieces exactly as the whole', () => {
      fc.assert(
        fc.property(binaryInput, fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
          const whole = parseAll(bytes, 1 << 16, messagePack);
          const pieces = parseInChunks(chunks(bytes, cuts), 1 << 16, messagePack);
          expect(pieces.messages).toEqual(whole.messages);
          expect(pieces.error === undefined).toBe(whole.error === undefined);
          if (whole.error) expect((pieces.error as Error).message).toBe((whole.error as Error).message);
        }),
        { numRuns: 1000 },
      );
    });

    it('reads back every message it writes', () => {
      fc.assert(
        fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (messages) => {
          const bytes = Buffer.concat(messages.map((m) => messagePack.writeMessage(m)));
          const { messages: read, consumed, error } = parseAll(bytes, 1 << 20, messagePack);
          expect(error).toBeUndefined();
          expect(consumed).toBe(bytes.length);
          expect(read.map(canonical)).toEqual(messages.map(canonical));
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('HandshakeProtocol.parseRequest', () => {
    it('throws nothing but handshake errors, and consumes at most the first record', () => {
      fc.assert(
        fc.property(input, fc.integer({ min: 1, max: 200 }), (bytes, maxSize) => {
          const started = performance.now();
          let result;
          try {
            result = HandshakeProtocol.parseRequest(bytes, maxSize);
          } catch (error) {
            expect(error instanceof HubProtocolError || error instanceof HandshakeTooLargeError).toBe(true);
            return;
          } finally {
            expect(performance.now() - started).toBeLessThan(TIME_BUDGET_MS);
          }
          const end = bytes.indexOf(RS);
          if (result.request) {
            expect(result.consumed).toBe(end + 1);
            expect(typeof result.request.protocol).toBe('string');
            expect(Number.isInteger(result.request.version)).toBe(true);
          } else {
            expect(result.consumed).toBe(0);
            expect(end).toBe(-1);
            expect(bytes.length).toBeLessThanOrEqual(maxSize);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});

/**
 * A message as JSON text with its properties sorted, without what the wire
 * cannot tell from absent: undefined properties, empty headers, a false allowReconnect.
 */
function canonical(message: HubMessage): string {
  const entries = Object.entries(message).filter(
    ([key, value]) =>
      value !== undefined &&
      !(key === 'headers' && Object.keys(value as object).length === 0) &&
      !(key === 'allowReconnect' && value === false),
  );
  return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b))));
}
