import { createRequire } from 'node:module';
import {
  frameMessage,
  lengthPrefixLength,
  MAX_FRAMED_MESSAGE_LENGTH,
  parseFrames,
  writeLengthPrefix,
} from './binary-message-format.js';
import { HubProtocolError } from './hub-protocol-error.js';

// The official client's framing (not exported from its index).
const require = createRequire(import.meta.url);
const { BinaryMessageFormat } = require('@microsoft/signalr-protocol-msgpack/dist/cjs/BinaryMessageFormat.js') as {
  BinaryMessageFormat: {
    write(output: Uint8Array): ArrayBuffer;
    parse(input: ArrayBuffer): Uint8Array[];
  };
};

const OVER_2GB = 'Messages over 2GB in size are not supported.';
const tooLarge = (max: number) =>
  `The maximum message size of ${max}B was exceeded. The message size can be configured in AddHubOptions.`;

function prefix(length: number): number[] {
  const bytes = new Uint8Array(5);
  return [...bytes.subarray(0, writeLengthPrefix(length, bytes, 0))];
}

function frames(input: Uint8Array, max = Number.POSITIVE_INFINITY) {
  const payloads: number[][] = [];
  const consumed = parseFrames(input, max, (start, end) => {
    payloads.push([...input.subarray(start, end)]);
  });
  return { consumed, payloads };
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('length prefix', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [0x7f, [0x7f]],
    [0x80, [0x80, 0x01]],
    [0x3fff, [0xff, 0x7f]],
    [0x4000, [0x80, 0x80, 0x01]],
    [0x1fffff, [0xff, 0xff, 0x7f]],
    [0x200000, [0x80, 0x80, 0x80, 0x01]],
    [0xfffffff, [0xff, 0xff, 0xff, 0x7f]],
    [0x10000000, [0x80, 0x80, 0x80, 0x80, 0x01]],
    [MAX_FRAMED_MESSAGE_LENGTH, [0xff, 0xff, 0xff, 0xff, 0x07]],
  ])('writes %i as %j', (length, bytes) => {
    expect(prefix(length)).toEqual(bytes);
    expect(lengthPrefixLength(length)).toBe(bytes.length);
  });

  it('refuses lengths a prefix cannot carry', () => {
    expect(() => prefix(MAX_FRAMED_MESSAGE_LENGTH + 1)).toThrow(RangeError);
    expect(() => prefix(-1)).toThrow(RangeError);
    expect(() => prefix(1.5)).toThrow(RangeError);
  });

  it('matches the official client for many lengths', () => {
    for (let length = 0; length < 70_000; length += length < 300 ? 1 : 997) {
      const payload = new Uint8Array(length).fill(7);
      const ours = frameMessage(payload);
      const theirs = new Uint8Array(BinaryMessageFormat.write(payload));
      expect(Buffer.compare(ours, theirs)).toBe(0);
      const parsed = BinaryMessageFormat.parse(
        ours.buffer.slice(ours.byteOffset, ours.byteOffset + ours.length) as ArrayBuffer,
      );
      expect(parsed).toHaveLength(1);
      expect(parsed[0].length).toBe(length);
    }
  });
});

describe('parseFrames', () => {
  it('returns 0 for no input', () => {
    expect(frames(new Uint8Array(0))).toEqual({ consumed: 0, payloads: [] });
  });

  it('reads several frames from one buffer, including an empty one', () => {
    const input = Buffer.concat([
      frameMessage(Uint8Array.of(1, 2, 3)),
      frameMessage(new Uint8Array(0)),
      frameMessage(new Uint8Array(200).fill(9)),
      frameMessage(Uint8Array.of(4)),
    ]);
    const { consumed, payloads } = frames(input);
    expect(consumed).toBe(input.length);
    expect(payloads).toEqual([[1, 2, 3], [], Array.from({ length: 200 }, () => 9), [4]]);
  });

  it('leaves an incomplete payload for later input', () => {
    const first = frameMessage(Uint8Array.of(1, 2));
    const second = frameMessage(new Uint8Array(300).fill(5));
    const input = Buffer.concat([first, second]);
    for (let cut = first.length; cut < input.length; cut++) {
      const { consumed, payloads } = frames(input.subarray(0, cut));
      expect(consumed).toBe(first.length);
      expect(payloads).toEqual([[1, 2]]);
    }
    // The caller keeps the rest and completes it.
    const rest = frames(input.subarray(first.length));
    expect(rest.consumed).toBe(second.length);
  });

  it('leaves an incomplete length prefix for later input', () => {
    expect(frames(Uint8Array.of(0x80))).toEqual({ consumed: 0, payloads: [] });
    expect(frames(Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toEqual({
      consumed: 0,
      payloads: [],
    });
    expect(frames(Uint8Array.of(0x01, 0xaa, 0x80, 0x80))).toEqual({
      consumed: 2,
      payloads: [[0xaa]],
    });
  });

  it('accepts a payload of exactly the maximum size', () => {
    const input = frameMessage(new Uint8Array(100));
    expect(frames(input, 100).consumed).toBe(input.length);
  });

  it('throws as soon as the prefix announces more than the maximum, before the payload arrives', () => {
    // Only the prefix and one byte of a 101-byte payload have arrived.
    const input = Buffer.from([...prefix(101), 0x00]);
    const error = catchError(() => frames(input, 100));
    expect(error).toBeInstanceOf(HubProtocolError);
    expect((error as Error).message).toBe(tooLarge(100));
    // Even with nothing after the prefix.
    expect(() => frames(Buffer.from(prefix(32769)), 32768)).toThrow(tooLarge(32768));
    expect(() => frames(Buffer.from(prefix(MAX_FRAMED_MESSAGE_LENGTH)), 32768)).toThrow(tooLarge(32768));
  });

  it('hands over the frames before an oversized one', () => {
    const input = Buffer.concat([frameMessage(Uint8Array.of(1)), Buffer.from(prefix(1000))]);
    const payloads: number[] = [];
    expect(() => parseFrames(input, 10, (start, end) => payloads.push(end - start))).toThrow(tooLarge(10));
    expect(payloads).toEqual([1]);
  });

  it('throws for a prefix longer than 5 bytes', () => {
    const error = catchError(() => frames(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01)));
    expect(error).toBeInstanceOf(HubProtocolError);
    expect((error as Error).message).toBe(OVER_2GB);
    // Five continuation bytes are already wrong, whatever follows.
    expect(() => frames(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff))).toThrow(OVER_2GB);
  });

  it('throws for a 5-byte prefix over 2^31 - 1', () => {
    expect(() => frames(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x08))).toThrow(OVER_2GB);
    expect(() => frames(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x7f))).toThrow(OVER_2GB);
    // 2^31 - 1 itself is a valid (incomplete) frame.
    expect(frames(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x07))).toEqual({
      consumed: 0,
      payloads: [],
    });
  });
});
