import { type Options as MsgpackrOptions, Packr, RESET_BUFFER_MODE, Unpackr } from 'msgpackr';
import { frameMessage, parseFrames } from './binary-message-format.js';
import {
  type CancelInvocationMessage,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type InvocationMessage,
  MessageType,
  type MessageHeaders,
  type StreamInvocationMessage,
  type StreamItemMessage,
} from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';
import { HubProtocolError } from './hub-protocol-error.js';
import { MessagePackReader, endOfStream } from './messagepack-reader.js';
import { TransferFormat } from './transfer-format.js';

/** Completion result kinds of the MessagePack encoding. */
const ERROR_RESULT = 1;
const VOID_RESULT = 2;
const NON_VOID_RESULT = 3;

/** A framed Ping is always these three bytes: length 2, `[6]`. */
const PING_FRAME = Uint8Array.of(0x02, 0x91, MessageType.Ping);
const PING: HubMessage = { type: MessageType.Ping };
const NO_HEADERS: MessageHeaders = Object.freeze({}) as MessageHeaders;
const NO_STREAM_IDS: readonly string[] = Object.freeze([]);

/**
 * msgpackr settings that keep the bytes readable by @msgpack/msgpack (the
 * official JS client) and MessagePack-CSharp (ASP.NET Core, the .NET client):
 * plain maps instead of msgpackr's record extension, compact map headers
 * (fixmap for small objects, as every other implementation writes), no
 * msgpackr-only extensions (`moreTypes` stays off: Set is written as an
 * array, typed arrays as bin), `undefined` as nil in arrays and omitted from
 * objects (as JSON.stringify does), an invalid Date as nil.
 */
const PACK_OPTIONS: MsgpackrOptions & { skipValues: unknown[] } = {
  useRecords: false,
  variableMapSize: true,
  moreTypes: false,
  structuredClone: false,
  bundleStrings: false,
  encodeUndefinedAsNil: true,
  skipValues: [undefined],
  onInvalidDate: () => null,
};

/**
 * Maps as plain objects; 64-bit integers as numbers (as @msgpack/msgpack and
 * JSON.parse give them, not BigInt); bin as a copied Buffer, never a view of
 * the receive buffer. Extension types other than the timestamp never reach
 * msgpackr: {@link MessagePackReader.skipValue} refuses them first.
 */
const UNPACK_OPTIONS: MsgpackrOptions = {
  useRecords: false,
  mapsAsObjects: true,
  structuredClone: false,
  int64AsType: 'number',
  copyBuffers: true,
};

/**
 * The MessagePack hub protocol (`messagepack`, version 2): each message is a
 * MessagePack array behind a VarInt length prefix. Layouts, validation and
 * error texts follow ASP.NET Core's MessagePackHubProtocolWorker; the output
 * is what the official clients (`@microsoft/signalr-protocol-msgpack`, .NET)
 * read.
 *
 * Values the application sees:
 * - `bin` arrives as a Node `Buffer` (a `Uint8Array` subclass) holding its own
 *   copy of the bytes, so it may be kept after the call.
 * - The timestamp extension arrives as a `Date`; maps as plain objects
 *   (a `__proto__` key is renamed `__proto_`); 64-bit integers as numbers.
 * - A value with any other extension type, or nested deeper than 500, is
 *   refused (the connection is closed with a HubProtocolError).
 *
 * Values the application sends: `Buffer`/`Uint8Array` (any ArrayBufferView,
 * ArrayBuffer) are written as `bin`, `Date` as a timestamp, `Map` as a map,
 * `Set` as an array, objects with `toJSON` through it, `bigint` as int64.
 * Integral numbers outside the 32-bit range are written as float64 (msgpackr
 * does so): the JS client reads the same number, but a .NET client reading a
 * `long` wants an integer format, so send such values as `bigint`.
 */
export class MessagePackHubProtocol implements HubProtocol {
  readonly name = 'messagepack';
  readonly version = 2;
  readonly transferFormat = TransferFormat.Binary;

  private readonly packr = new Packr(PACK_OPTIONS);
  private readonly unpackr = new Unpackr(UNPACK_OPTIONS);

  isVersionSupported(version: number): boolean {
    return version <= this.version;
  }

  parseMessages(input: Buffer, maxMessageSize: number, onMessage: (message: HubMessage) => unknown): number {
    const buffer = Buffer.isBuffer(input)
      ? input
      : Buffer.from((input as Uint8Array).buffer, (input as Uint8Array).byteOffset, (input as Uint8Array).byteLength);
    return parseFrames(buffer, maxMessageSize, (start, end) => {
      const message = this.parseMessage(buffer, start, end);
      // false from onMessage (a full upload stream) stops the parse here.
      return message ? onMessage(message) : undefined;
    });
  }

  writeMessage(message: HubMessage): Buffer {
    if (message.type === MessageType.Ping) return Buffer.from(PING_FRAME);
    // pack() returns a view of msgpackr's (process-wide) write buffer, and
    // RESET_BUFFER_MODE lets the next pack() write over it: copying it behind
    // the length prefix right away gives the caller bytes of its own, and
    // msgpackr keeps one buffer instead of allocating as it goes.
    return frameMessage(this.packr.pack(toArray(message), RESET_BUFFER_MODE));
  }

  // ---- reading ------------------------------------------------------------

  /** One message from one frame's payload; `undefined` for an unknown type. */
  private parseMessage(buffer: Buffer, start: number, end: number): HubMessage | undefined {
    const reader = new MessagePackReader(buffer, start, end);
    let count: number;
    try {
      count = reader.readArrayHeader();
    } catch (error) {
      // ASP.NET Core does not wrap this one: the reader's own text.
      throw new HubProtocolError((error as Error).message, { cause: error });
    }
    const fields = new Fields(reader, count);
    const type = fields.int32('messageType');
    switch (type) {
      case MessageType.Invocation:
      case MessageType.StreamInvocation:
        return this.parseInvocation(type, fields);
      case MessageType.StreamItem:
        return this.parseStreamItem(fields);
      case MessageType.Completion:
        return this.parseCompletion(fields);
      case MessageType.CancelInvocation: {
        const headers = readHeaders(fields);
        const cancel: CancelInvocationMessage = {
          type: MessageType.CancelInvocation,
          invocationId: requiredId(fields, 'CancelInvocation'),
        };
        return withHeaders(cancel, headers);
      }
      case MessageType.Ping:
        return PING;
      case MessageType.Close:
        return parseClose(fields);
      case MessageType.Ack:
      case MessageType.Sequence:
        return { type, sequenceId: fields.int64('sequenceId') };
      default:
        // Later protocol versions may add message types: ignore them.
        return undefined;
    }
  }

  private parseInvocation(
    type: MessageType.Invocation | MessageType.StreamInvocation,
    fields: Fields,
  ): InvocationMessage | StreamInvocationMessage {
    const headers = readHeaders(fields);
    const kind = type === MessageType.Invocation ? 'Invocation' : 'StreamInvocation';
    let invocationId: string | null;
    if (type === MessageType.Invocation) {
      // Nil or an empty string: a non-blocking invocation.
      invocationId = fields.string('invocationId') || null;
    } else {
      invocationId = requiredId(fields, kind);
    }
    const target = fields.string('target');
    if (!target) throw new HubProtocolError(`Null or empty target for ${kind} message.`);
    const args = this.readArguments(fields);

    const message = { type, target, arguments: args } as InvocationMessage;
    if (invocationId) message.invocationId = invocationId;
    // Clients older than streaming send 5 elements: no stream ids.
    if (fields.remaining > 0) {
      const streamIds = readStreamIds(fields);
      if (streamIds.length > 0) message.streamIds = streamIds;
    }
    return withHeaders(message, headers);
  }

  private readArguments(fields: Fields): unknown[] {
    const reader = fields.reader;
    const start = reader.pos;
    const count = fields.arrayLength('arguments');
    if (count === 0) return [];
    for (let i = 0; i < count; i++) {
      try {
        reader.skipValue();
      } catch (error) {
        throw bindingError(i, error);
      }
    }
    try {
      return this.unpackr.unpack(reader.buffer, {
        start,
        end: reader.pos,
      }) as unknown[];
    } catch (error) {
      throw bindingError(this.findUndecodableArgument(reader.buffer, start, reader.pos), error);
    }
  }

  /** Which argument msgpackr could not decode (the walk accepted them all). */
  private findUndecodableArgument(buffer: Buffer, start: number, end: number): number {
    const reader = new MessagePackReader(buffer, start, end);
    const count = reader.readArrayHeader();
    for (let i = 0; i < count; i++) {
      const argumentStart = reader.pos;
      reader.skipValue();
      try {
        this.unpackr.unpack(buffer, { start: argumentStart, end: reader.pos });
      } catch {
        return i;
      }
    }
    return 0;
  }

  private parseStreamItem(fields: Fields): StreamItemMessage {
    const headers = readHeaders(fields);
    const invocationId = requiredId(fields, 'StreamItem');
    let item: unknown;
    try {
      item = this.readValue(fields);
    } catch (error) {
      throw new HubProtocolError("Deserializing object of the `Object` type for 'item' failed.", {
        cause: error,
      });
    }
    const streamItem: StreamItemMessage = {
      type: MessageType.StreamItem,
      invocationId,
      item,
    };
    return withHeaders(streamItem, headers);
  }

  private parseCompletion(fields: Fields): CompletionMessage {
    const headers = readHeaders(fields);
    const invocationId = requiredId(fields, 'Completion');
    const resultKind = fields.int32('resultKind');
    const completion: CompletionMessage = {
      type: MessageType.Completion,
      invocationId,
    };
    switch (resultKind) {
      case ERROR_RESULT: {
        // As in ASP.NET Core, a nil error makes a void completion.
        const error = fields.string('error');
        if (error !== null) completion.error = error;
        break;
      }
      case VOID_RESULT:
        break;
      case NON_VOID_RESULT:
        try {
          completion.result = this.readValue(fields);
        } catch {
          // ASP.NET Core turns a result it cannot read into a failed
          // completion for the caller rather than closing the connection.
          completion.error =
            "Error trying to deserialize result to Object. Deserializing object of the `Object` type for 'argument' failed.";
        }
        break;
      default:
        throw new HubProtocolError('Invalid invocation result kind.');
    }
    return withHeaders(completion, headers);
  }

  /** The next element as an application value (throws if missing or malformed). */
  private readValue(fields: Fields): unknown {
    if (!fields.take()) throw endOfStream();
    const reader = fields.reader;
    const start = reader.pos;
    reader.skipValue();
    return this.unpackr.unpack(reader.buffer, { start, end: reader.pos });
  }
}

/**
 * The elements of a message's array, read in order. Reading past the last
 * element fails as reading past the end of the message does in ASP.NET Core;
 * elements after the last one a message type uses are ignored.
 */
class Fields {
  constructor(
    readonly reader: MessagePackReader,
    public remaining: number,
  ) {}

  /** Claims the next element; false when there is none. */
  take(): boolean {
    if (this.remaining === 0) return false;
    this.remaining--;
    return true;
  }

  string(field: string): string | null {
    return this.read(`Reading '${field}' as String failed.`, () => this.reader.readStringOrNull());
  }

  int32(field: string): number {
    return this.read(`Reading '${field}' as Int32 failed.`, () => {
      const value = this.reader.readInteger();
      if (value > 0x7fffffff || value < -0x80000000) throw new RangeError('Int32 overflow.');
      return value;
    });
  }

  int64(field: string): number {
    return this.read(`Reading '${field}' as Int64 failed.`, () => {
      const value = this.reader.readInteger();
      // Beyond 2^53 a JS number would silently round the sequence id.
      if (!Number.isSafeInteger(value)) throw new RangeError('Not a safe integer.');
      return value;
    });
  }

  boolean(field: string): boolean {
    return this.read(`Reading '${field}' as Boolean failed.`, () => this.reader.readBoolean());
  }

  mapLength(field: string): number {
    return this.read(`Reading map length for '${field}' failed.`, () => this.reader.readMapHeader());
  }

  arrayLength(field: string): number {
    return this.read(`Reading array length for '${field}' failed.`, () => this.reader.readArrayHeader());
  }

  private read<T>(failure: string, read: () => T): T {
    try {
      if (!this.take()) throw endOfStream();
      return read();
    } catch (error) {
      throw new HubProtocolError(failure, { cause: error });
    }
  }
}

function requiredId(fields: Fields, kind: string): string {
  const invocationId = fields.string('invocationId');
  if (!invocationId) throw new HubProtocolError(`Null or empty invocation ID for ${kind} message.`);
  return invocationId;
}

/** Reads the header map; `undefined` when it is empty. */
function readHeaders(fields: Fields): MessageHeaders | undefined {
  const count = fields.mapLength('headers');
  if (count === 0) return undefined;
  const reader = fields.reader;
  const headers: MessageHeaders = {};
  for (let i = 0; i < count; i++) {
    const key = readHeaderString(reader, `headers[${i}].Key`);
    if (!key) throw new HubProtocolError('Null or empty key in header.');
    const value = readHeaderString(reader, `headers[${i}].Value`);
    if (!value) throw new HubProtocolError('Null or empty value in header.');
    if (Object.hasOwn(headers, key)) {
      // .NET's Dictionary.Add refuses a duplicate key with this text.
      throw new HubProtocolError(`An item with the same key has already been added. Key: ${key}`);
    }
    // An own property even for `__proto__`, as JSON.parse makes it.
    Object.defineProperty(headers, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return headers;
}

function readHeaderString(reader: MessagePackReader, field: string): string | null {
  try {
    return reader.readStringOrNull();
  } catch (error) {
    throw new HubProtocolError(`Reading '${field}' as String failed.`, {
      cause: error,
    });
  }
}

function readStreamIds(fields: Fields): string[] {
  const count = fields.arrayLength('streamIds');
  const streamIds: string[] = [];
  for (let i = 0; i < count; i++) {
    let id: string | null;
    try {
      id = fields.reader.readStringOrNull();
    } catch (error) {
      // ASP.NET Core reads these without wrapping the reader's error.
      throw new HubProtocolError((error as Error).message, { cause: error });
    }
    if (!id) throw new HubProtocolError('Null or empty value in streamIds received.');
    streamIds.push(id);
  }
  return streamIds;
}

function parseClose(fields: Fields): CloseMessage {
  const error = fields.string('error');
  const close: CloseMessage = { type: MessageType.Close };
  // An empty string is still an error (as in ASP.NET Core).
  if (error !== null) close.error = error;
  // The JS client writes `[7, nil]`: allowReconnect only when present.
  if (fields.remaining > 0) close.allowReconnect = fields.boolean('allowReconnect');
  return close;
}

function withHeaders<T extends { headers?: MessageHeaders }>(message: T, headers: MessageHeaders | undefined): T {
  if (headers) message.headers = headers;
  return message;
}

function bindingError(index: number, cause: unknown): HubProtocolError {
  return new HubProtocolError(
    `Error binding argument ${index + 1}. Make sure that the types of the provided values match the types of the hub method being invoked.`,
    { cause },
  );
}

// ---- writing --------------------------------------------------------------

/** The array a message is written as (ASP.NET Core's layouts). */
function toArray(message: HubMessage): unknown[] {
  switch (message.type) {
    case MessageType.Invocation:
      return [
        MessageType.Invocation,
        message.headers ?? NO_HEADERS,
        message.invocationId || null,
        message.target,
        message.arguments ?? [],
        message.streamIds ?? NO_STREAM_IDS,
      ];
    case MessageType.StreamInvocation:
      return [
        MessageType.StreamInvocation,
        message.headers ?? NO_HEADERS,
        message.invocationId,
        message.target,
        message.arguments ?? [],
        message.streamIds ?? NO_STREAM_IDS,
      ];
    case MessageType.StreamItem:
      return [MessageType.StreamItem, message.headers ?? NO_HEADERS, message.invocationId, message.item];
    case MessageType.Completion: {
      const head = [MessageType.Completion, message.headers ?? NO_HEADERS, message.invocationId];
      if (message.error !== undefined && message.error !== null) {
        return [...head, ERROR_RESULT, message.error];
      }
      if (Object.hasOwn(message, 'result')) return [...head, NON_VOID_RESULT, message.result];
      return [...head, VOID_RESULT];
    }
    case MessageType.CancelInvocation:
      return [MessageType.CancelInvocation, message.headers ?? NO_HEADERS, message.invocationId];
    case MessageType.Close:
      return [MessageType.Close, message.error || null, message.allowReconnect === true];
    case MessageType.Ack:
    case MessageType.Sequence:
      return [message.type, integer(message.sequenceId)];
    default:
      throw new Error(`Unexpected message type: ${(message as { type: unknown }).type}`);
  }
}

/**
 * An integral number as a value msgpackr writes in an integer format
 * (msgpackr writes integers beyond 32 bits as float64, which .NET's ReadInt64
 * refuses).
 */
function integer(value: number): number | bigint {
  return Number.isSafeInteger(value) && (value > 0xffffffff || value < -0x80000000) ? BigInt(value) : value;
}
