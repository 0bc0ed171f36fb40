import { HubProtocolError, maxMessageSizeExceeded } from './hub-protocol-error.js';

/**
 * Length-prefix framing of the binary hub protocols (ASP.NET Core's
 * BinaryMessageFormatter / BinaryMessageParser): every message is preceded by
 * its length as a VarInt, 7 bits per byte, least significant group first, the
 * high bit set on every byte but the last. 1 to 5 bytes; lengths up to
 * 2^31 - 1 (so the 5th byte is at most 7).
 */

/** The longest length prefix: 2^31 - 1 is `ff ff ff ff 07`. */
export const MAX_LENGTH_PREFIX_SIZE = 5;

/** The largest message length a prefix can carry. */
export const MAX_FRAMED_MESSAGE_LENGTH = 0x7fffffff;

const OVER_2GB = 'Messages over 2GB in size are not supported.';

/** How many bytes the length prefix of a `length`-byte message takes. */
export function lengthPrefixLength(length: number): number {
  let bytes = 1;
  while (length > 0x7f) {
    length = Math.floor(length / 128);
    bytes++;
  }
  return bytes;
}

/**
 * Writes the length prefix of a `length`-byte message into `target` at
 * `offset`; returns the number of bytes written.
 */
export function writeLengthPrefix(length: number, target: Uint8Array, offset: number): number {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAMED_MESSAGE_LENGTH) {
    throw new RangeError(`Cannot frame a message of ${length} bytes: ${OVER_2GB}`);
  }
  let written = 0;
  // `length` fits in 31 bits, so the bitwise operators are exact.
  while (length > 0x7f) {
    target[offset + written++] = (length & 0x7f) | 0x80;
    length >>>= 7;
  }
  target[offset + written++] = length;
  return written;
}

/** Returns a new buffer holding the length prefix followed by `payload`. */
export function frameMessage(payload: Uint8Array): Buffer {
  const prefix = lengthPrefixLength(payload.length);
  const framed = Buffer.allocUnsafe(prefix + payload.length);
  writeLengthPrefix(payload.length, framed, 0);
  framed.set(payload, prefix);
  return framed;
}

/**
 * Finds every complete frame at the start of `input` and calls
 * `onPayload(start, end)` with the bounds of each payload in `input`, in
 * order. Returns the number of bytes consumed (whole frames only): an
 * incomplete frame at the end is left for the caller to complete with later
 * input. When `onPayload` returns `false`, parsing stops after that frame
 * (back-pressure: the rest is parsed later).
 *
 * Throws {@link maxMessageSizeExceeded} as soon as a length prefix announces
 * a payload larger than `maxMessageSize`, without waiting for the payload,
 * and a {@link HubProtocolError} for a malformed prefix (more than 5 bytes,
 * or a length over 2^31 - 1). Frames before the offending one have already
 * been handed to `onPayload` by then.
 */
export function parseFrames(
  input: Uint8Array,
  maxMessageSize: number,
  onPayload: (start: number, end: number) => unknown,
): number {
  let offset = 0;
  const length = input.length;
  while (offset < length) {
    // Inline VarInt read: at most 5 bytes.
    let size = 0;
    let shift = 0;
    let cursor = offset;
    let byte: number;
    do {
      // A 6th prefix byte: the length cannot fit in 31 bits.
      if (cursor - offset === MAX_LENGTH_PREFIX_SIZE) throw new HubProtocolError(OVER_2GB);
      // The prefix itself is incomplete.
      if (cursor === length) return offset;
      byte = input[cursor++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (cursor - offset === MAX_LENGTH_PREFIX_SIZE && byte > 7) {
      throw new HubProtocolError(OVER_2GB);
    }
    if (size > maxMessageSize) throw maxMessageSizeExceeded(maxMessageSize);
    const end = cursor + size;
    if (end > length) return offset;
    offset = end;
    if (onPayload(cursor, end) === false) return offset;
  }
  return offset;
}
