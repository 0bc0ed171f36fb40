import {
  type CancelInvocationMessage,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type InvocationMessage,
  MessageType,
  type MessageHeaders,
  type StreamItemMessage,
} from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';
import { HubProtocolError, maxMessageSizeExceeded } from './hub-protocol-error.js';
import { readJsonText } from './json-text.js';
import { RECORD_SEPARATOR, RECORD_SEPARATOR_CHAR } from './text-message-format.js';
import { TransferFormat } from './transfer-format.js';

type JsonObject = Record<string, unknown>;

const PING: HubMessage = { type: MessageType.Ping };

/**
 * The JSON hub protocol: one JSON object per message, each followed by the
 * record separator 0x1E. Validation and error texts follow ASP.NET Core's
 * JsonHubProtocol, which is what the official clients are tested against.
 */
export class JsonHubProtocol implements HubProtocol {
  readonly name = 'json';
  readonly version = 2;
  readonly transferFormat = TransferFormat.Text;

  isVersionSupported(version: number): boolean {
    return version <= this.version;
  }

  parseMessages(input: Buffer, maxMessageSize: number, onMessage: (message: HubMessage) => unknown): number {
    let offset = 0;
    for (;;) {
      const end = input.indexOf(RECORD_SEPARATOR, offset);
      if (end === -1) {
        if (input.length - offset > maxMessageSize) {
          throw maxMessageSizeExceeded(maxMessageSize);
        }
        return offset;
      }
      if (end - offset > maxMessageSize) {
        throw maxMessageSizeExceeded(maxMessageSize);
      }
      const message = parseMessage(readJsonText(input, offset, end));
      offset = end + 1;
      if (message && onMessage(message) === false) return offset;
    }
  }

  writeMessage(message: HubMessage): Buffer {
    return Buffer.from(serialize(message) + RECORD_SEPARATOR_CHAR);
  }
}

function serialize(message: HubMessage): string {
  switch (message.type) {
    case MessageType.Completion:
      return serializeCompletion(message);
    case MessageType.Close:
      return serializeClose(message);
    default:
      // Property order does not matter to the clients; JSON.stringify of the
      // message object is the cheapest correct encoding.
      return JSON.stringify(message);
  }
}

function serializeCompletion(message: CompletionMessage): string {
  const out: JsonObject = { type: MessageType.Completion };
  if (message.headers) out.headers = message.headers;
  out.invocationId = message.invocationId;
  if (message.error) out.error = message.error;
  else if ('result' in message) out.result = message.result ?? null;
  return JSON.stringify(out);
}

function serializeClose(message: CloseMessage): string {
  const out: JsonObject = { type: MessageType.Close };
  if (message.error) out.error = message.error;
  if (message.allowReconnect) out.allowReconnect = true;
  return JSON.stringify(out);
}

function parseMessage(text: string): HubMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HubProtocolError('Error reading JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HubProtocolError(`Unexpected JSON Token Type '${tokenType(value)}'. Expected a JSON Object.`);
  }
  const json = value as JsonObject;
  const type = json.type;
  if (type === undefined) throw missingProperty('type');
  if (!Number.isInteger(type)) throw wrongType('type', 'Number');

  switch (type as MessageType) {
    case MessageType.Invocation:
    case MessageType.StreamInvocation:
      return parseInvocation(type as MessageType.Invocation, json);
    case MessageType.StreamItem: {
      const invocationId = requiredString(json, 'invocationId');
      if (!('item' in json)) throw missingProperty('item');
      const streamItem: StreamItemMessage = {
        type: MessageType.StreamItem,
        invocationId,
        item: json.item,
      };
      return withHeaders(streamItem, json);
    }
    case MessageType.Completion: {
      const invocationId = requiredString(json, 'invocationId');
      const error = optionalString(json, 'error');
      const completion: CompletionMessage = { type: MessageType.Completion, invocationId };
      if (error !== undefined) {
        if ('result' in json) {
          throw new HubProtocolError("The 'error' and 'result' properties are mutually exclusive.");
        }
        completion.error = error;
      } else if ('result' in json) {
        completion.result = json.result;
      }
      return withHeaders(completion, json);
    }
    case MessageType.CancelInvocation: {
      const cancel: CancelInvocationMessage = {
        type: MessageType.CancelInvocation,
        invocationId: requiredString(json, 'invocationId'),
      };
      return withHeaders(cancel, json);
    }
    case MessageType.Ping:
      return PING;
    case MessageType.Close: {
      const close: CloseMessage = { type: MessageType.Close };
      const error = optionalString(json, 'error');
      if (error) close.error = error;
      if (json.allowReconnect !== undefined) {
        if (typeof json.allowReconnect !== 'boolean') throw wrongType('allowReconnect', 'Boolean');
        close.allowReconnect = json.allowReconnect;
      }
      return close;
    }
    case MessageType.Ack:
    case MessageType.Sequence: {
      const sequenceId = json.sequenceId;
      if (sequenceId === undefined) throw missingProperty('sequenceId');
      if (!Number.isSafeInteger(sequenceId)) throw wrongType('sequenceId', 'Number');
      return { type: type as MessageType.Ack, sequenceId: sequenceId as number };
    }
    default:
      // Later protocol versions may add message types: ignore them.
      return undefined;
  }
}

function parseInvocation(type: MessageType.Invocation | MessageType.StreamInvocation, json: JsonObject): HubMessage {
  const invocationId = optionalString(json, 'invocationId');
  if (type === MessageType.StreamInvocation && !invocationId) {
    throw missingProperty('invocationId');
  }
  const target = optionalString(json, 'target');
  if (target === undefined) throw missingProperty('target');
  const args = json.arguments;
  if (args === undefined) throw missingProperty('arguments');
  if (!Array.isArray(args)) throw wrongType('arguments', 'Array');

  const message: InvocationMessage = { type: type as MessageType.Invocation, target, arguments: args };
  // An empty id means a non-blocking invocation, as in ASP.NET Core.
  if (invocationId) message.invocationId = invocationId;
  const streamIds = json.streamIds;
  if (streamIds !== undefined && streamIds !== null) {
    if (!Array.isArray(streamIds) || !streamIds.every((id) => typeof id === 'string')) {
      throw wrongType('streamIds', 'Array');
    }
    if (streamIds.length > 0) message.streamIds = streamIds as string[];
  }
  return withHeaders(message, json);
}

function withHeaders<T extends { headers?: MessageHeaders }>(message: T, json: JsonObject): T {
  const headers = json.headers;
  if (headers === undefined || headers === null) return message;
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw wrongType('headers', 'StartObject');
  }
  for (const key in headers) {
    if (typeof (headers as JsonObject)[key] !== 'string') {
      throw new HubProtocolError(`Expected header '${key}' to be of type String.`);
    }
  }
  message.headers = headers as MessageHeaders;
  return message;
}

function requiredString(json: JsonObject, property: string): string {
  const value = optionalString(json, property);
  if (value === undefined) throw missingProperty(property);
  return value;
}

function optionalString(json: JsonObject, property: string): string | undefined {
  const value = json[property];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(property, 'String');
  return value;
}

function missingProperty(property: string): HubProtocolError {
  return new HubProtocolError(`Missing required property '${property}'.`);
}

function wrongType(property: string, type: string): HubProtocolError {
  return new HubProtocolError(`Expected '${property}' to be of type ${type}.`);
}

function tokenType(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'StartArray';
  switch (typeof value) {
    case 'number':
      return 'Number';
    case 'string':
      return 'String';
    case 'boolean':
      return value ? 'True' : 'False';
    default:
      return 'None';
  }
}
