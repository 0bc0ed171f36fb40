/**
 * A minimal forward-only MessagePack reader for the hub message envelope
 * (array headers, integers, strings, booleans, maps of strings), with the
 * same acceptance rules as MessagePack-CSharp's MessagePackReader, which
 * ASP.NET Core reads hub messages with. Payload values (arguments, items,
 * results) are only walked here, to find where they end and to refuse what
 * a SignalR client never sends; a MessagePack library decodes them.
 */

/** Malformed MessagePack; the hub protocol wraps it in a HubProtocolError. */
export class MessagePackFormatError extends Error {
  override readonly name = 'MessagePackSerializationException';
}

/** Deepest nesting of arrays and maps accepted in a value (MessagePack-CSharp's default). */
export const MAX_VALUE_DEPTH = 500;

/** The MessagePack timestamp extension type (-1), which decodes to a Date. */
const TIMESTAMP_EXT_TYPE = 0xff;

const FORMAT_NAMES: Record<number, string> = {
  0xc0: 'nil',
  0xc1: '(never used)',
  0xc2: 'false',
  0xc3: 'true',
  0xc4: 'bin 8',
  0xc5: 'bin 16',
  0xc6: 'bin 32',
  0xc7: 'ext 8',
  0xc8: 'ext 16',
  0xc9: 'ext 32',
  0xca: 'float 32',
  0xcb: 'float 64',
  0xcc: 'uint 8',
  0xcd: 'uint 16',
  0xce: 'uint 32',
  0xcf: 'uint 64',
  0xd0: 'int 8',
  0xd1: 'int 16',
  0xd2: 'int 32',
  0xd3: 'int 64',
  0xd4: 'fixext 1',
  0xd5: 'fixext 2',
  0xd6: 'fixext 4',
  0xd7: 'fixext 8',
  0xd8: 'fixext 16',
  0xd9: 'str 8',
  0xda: 'str 16',
  0xdb: 'str 32',
  0xdc: 'array 16',
  0xdd: 'array 32',
  0xde: 'map 16',
  0xdf: 'map 32',
};

/** The format name MessagePack-CSharp prints for a type code. */
export function formatName(code: number): string {
  if (code <= 0x7f) return 'positive fixint';
  if (code <= 0x8f) return 'fixmap';
  if (code <= 0x9f) return 'fixarray';
  if (code <= 0xbf) return 'fixstr';
  return FORMAT_NAMES[code] ?? 'negative fixint';
}

export function unexpectedCode(code: number): MessagePackFormatError {
  return new MessagePackFormatError(`Unexpected msgpack code ${code} (${formatName(code)}) encountered.`);
}

export function endOfStream(): MessagePackFormatError {
  // .NET's EndOfStreamException text, which MessagePackReader throws.
  return new MessagePackFormatError('Attempted to read past the end of the stream.');
}

export class MessagePackReader {
  /** Position of the next byte to read. */
  pos: number;

  constructor(
    readonly buffer: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** The next type code, without consuming it; throws at the end. */
  peek(): number {
    if (this.pos >= this.end) throw endOfStream();
    return this.buffer[this.pos];
  }

  readArrayHeader(): number {
    const code = this.peek();
    let count: number;
    if (code >= 0x90 && code <= 0x9f) {
      this.pos++;
      count = code & 0x0f;
    } else if (code === 0xdc) {
      count = this.readUInt(2);
    } else if (code === 0xdd) {
      count = this.readUInt(4);
    } else {
      throw unexpectedCode(code);
    }
    // Every element takes at least one byte (MessagePackReader checks this
    // too): a huge count in a short message fails here, not later.
    if (count > this.end - this.pos) throw endOfStream();
    return count;
  }

  readMapHeader(): number {
    const code = this.peek();
    let count: number;
    if (code >= 0x80 && code <= 0x8f) {
      this.pos++;
      count = code & 0x0f;
    } else if (code === 0xde) {
      count = this.readUInt(2);
    } else if (code === 0xdf) {
      count = this.readUInt(4);
    } else {
      throw unexpectedCode(code);
    }
    if (count * 2 > this.end - this.pos) throw endOfStream();
    return count;
  }

  /**
   * Reads any MessagePack integer (not a float), as MessagePackReader's
   * ReadInt64 does. Values beyond 2^53 lose precision; callers range-check.
   */
  readInteger(): number {
    const code = this.peek();
    if (code <= 0x7f) {
      this.pos++;
      return code;
    }
    if (code >= 0xe0) {
      this.pos++;
      return code - 0x100;
    }
    const b = this.buffer;
    switch (code) {
      case 0xcc:
        return this.readUInt(1);
      case 0xcd:
        return this.readUInt(2);
      case 0xce:
        return this.readUInt(4);
      case 0xcf: {
        this.need(9);
        const value = b.readUInt32BE(this.pos + 1) * 2 ** 32 + b.readUInt32BE(this.pos + 5);
        this.pos += 9;
        return value;
      }
      case 0xd0:
        this.need(2);
        this.pos += 2;
        return b.readInt8(this.pos - 1);
      case 0xd1:
        this.need(3);
        this.pos += 3;
        return b.readInt16BE(this.pos - 2);
      case 0xd2:
        this.need(5);
        this.pos += 5;
        return b.readInt32BE(this.pos - 4);
      case 0xd3: {
        this.need(9);
        const value = b.readInt32BE(this.pos + 1) * 2 ** 32 + b.readUInt32BE(this.pos + 5);
        this.pos += 9;
        return value;
      }
      default:
        throw unexpectedCode(code);
    }
  }

  /** Reads a string, or nil as `null`. */
  readStringOrNull(): string | null {
    const code = this.peek();
    let length: number;
    if (code >= 0xa0 && code <= 0xbf) {
      this.pos++;
      length = code & 0x1f;
    } else if (code === 0xd9) {
      length = this.readUInt(1);
    } else if (code === 0xda) {
      length = this.readUInt(2);
    } else if (code === 0xdb) {
      length = this.readUInt(4);
    } else if (code === 0xc0) {
      this.pos++;
      return null;
    } else {
      throw unexpectedCode(code);
    }
    const start = this.pos;
    if (length > this.end - start) throw endOfStream();
    this.pos = start + length;
    return this.buffer.toString('utf8', start, this.pos);
  }

  readBoolean(): boolean {
    const code = this.peek();
    if (code === 0xc2 || code === 0xc3) {
      this.pos++;
      return code === 0xc3;
    }
    throw unexpectedCode(code);
  }

  /**
   * Moves past one complete value and checks it is one a SignalR client can
   * send: any standard MessagePack type, nested at most
   * {@link MAX_VALUE_DEPTH} deep, with the timestamp extension as the only
   * extension type. Iterative, so hostile nesting cannot exhaust the stack.
   */
  skipValue(): void {
    // Values still to skip in the innermost open container, and the counts
    // of the enclosing ones.
    let pending = 1;
    const outer: number[] = [];
    for (;;) {
      if (pending === 0) {
        if (outer.length === 0) return;
        pending = outer.pop()!;
        continue;
      }
      pending--;
      const code = this.peek();
      let children = 0;
      if (code <= 0x7f || code >= 0xe0 || (code >= 0xc0 && code <= 0xc3 && code !== 0xc1)) {
        this.pos++;
      } else if (code <= 0x8f) {
        this.pos++;
        children = (code & 0x0f) * 2;
      } else if (code <= 0x9f) {
        this.pos++;
        children = code & 0x0f;
      } else if (code <= 0xbf) {
        this.skipBytes(1, code & 0x1f);
      } else {
        switch (code) {
          case 0xc4: // bin 8
          case 0xd9: // str 8
            this.skipBytes(2, this.peekUInt(1));
            break;
          case 0xc5: // bin 16
          case 0xda: // str 16
            this.skipBytes(3, this.peekUInt(2));
            break;
          case 0xc6: // bin 32
          case 0xdb: // str 32
            this.skipBytes(5, this.peekUInt(4));
            break;
          case 0xca: // float 32
            this.skipBytes(5, 0);
            break;
          case 0xcb: // float 64
          case 0xcf: // uint 64
          case 0xd3: // int 64
            this.skipBytes(9, 0);
            break;
          case 0xcc: // uint 8
          case 0xd0: // int 8
            this.skipBytes(2, 0);
            break;
          case 0xcd: // uint 16
          case 0xd1: // int 16
            this.skipBytes(3, 0);
            break;
          case 0xce: // uint 32
          case 0xd2: // int 32
            this.skipBytes(5, 0);
            break;
          case 0xd4: // fixext 1
            this.skipExtension(1, 1);
            break;
          case 0xd5: // fixext 2
            this.skipExtension(1, 2);
            break;
          case 0xd6: // fixext 4
            this.skipExtension(1, 4);
            break;
          case 0xd7: // fixext 8
            this.skipExtension(1, 8);
            break;
          case 0xd8: // fixext 16
            this.skipExtension(1, 16);
            break;
          case 0xc7: // ext 8
            this.skipExtension(2, this.peekUInt(1));
            break;
          case 0xc8: // ext 16
            this.skipExtension(3, this.peekUInt(2));
            break;
          case 0xc9: // ext 32
            this.skipExtension(5, this.peekUInt(4));
            break;
          case 0xdc: // array 16
            children = this.peekUInt(2);
            this.pos += 3;
            break;
          case 0xdd: // array 32
            children = this.peekUInt(4);
            this.pos += 5;
            break;
          case 0xde: // map 16
            children = this.peekUInt(2) * 2;
            this.pos += 3;
            break;
          case 0xdf: // map 32
            children = this.peekUInt(4) * 2;
            this.pos += 5;
            break;
          default: // 0xc1, never used
            throw unexpectedCode(code);
        }
      }
      if (children > 0) {
        if (children > this.end - this.pos) throw endOfStream();
        if (outer.length >= MAX_VALUE_DEPTH) {
          throw new MessagePackFormatError(
            `This msgpack sequence has an object graph that exceeds the maximum depth allowed of ${MAX_VALUE_DEPTH}.`,
          );
        }
        outer.push(pending);
        pending = children;
      }
    }
  }

  private skipExtension(headerSize: number, dataLength: number): void {
    this.need(headerSize + 1);
    const type = this.buffer[this.pos + headerSize];
    if (type !== TIMESTAMP_EXT_TYPE) {
      throw new MessagePackFormatError(`Unsupported MessagePack extension type ${type >= 0x80 ? type - 0x100 : type}.`);
    }
    if (dataLength !== 4 && dataLength !== 8 && dataLength !== 12) {
      throw new MessagePackFormatError(
        `Invalid timestamp extension: ${dataLength} bytes of data (expected 4, 8 or 12).`,
      );
    }
    this.skipBytes(headerSize + 1, dataLength);
  }

  /** Skips a `header`-byte head (type code included) and `length` bytes of data. */
  private skipBytes(header: number, length: number): void {
    const next = this.pos + header + length;
    if (next > this.end) throw endOfStream();
    this.pos = next;
  }

  /** Unsigned big-endian integer of `size` bytes right after the type code, not consumed. */
  private peekUInt(size: 1 | 2 | 4): number {
    this.need(1 + size);
    return this.buffer.readUIntBE(this.pos + 1, size);
  }

  /** Reads the type code and the unsigned `size`-byte integer that follows it. */
  private readUInt(size: 1 | 2 | 4): number {
    const value = this.peekUInt(size);
    this.pos += 1 + size;
    return value;
  }

  private need(bytes: number): void {
    if (this.end - this.pos < bytes) throw endOfStream();
  }
}
