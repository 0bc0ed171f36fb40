import { Packr } from 'msgpackr';

/**
 * What nodes publish to each other, as MessagePack arrays whose first two
 * items are the sending node's id and the message type:
 *
 * | type                  | rest                                          | channel           |
 * |-----------------------|-----------------------------------------------|-------------------|
 * | Invocation            | excludedConnectionIds or nil, serialized      | all, group, user  |
 * | GroupsInvocation      | groupNames, serialized                        | group (each one)  |
 * | ConnectionsInvocation | connectionIds, serialized                     | node              |
 * | GroupCommand          | ackId, action, groupName, connectionId        | node (the owner)  |
 * | Ack                   | ackId                                         | node (the sender) |
 * | ClientInvocation      | connectionId, invocationId, serialized        | node (the owner)  |
 * | ClientCompletion      | connectionId, invocationId, outcome, value    | node (the invoker) |
 * | ClientCancel          | connectionId, invocationId                    | node (the owner)  |
 * | NodeHello             | (nothing)                                     | all               |
 * | NodeAlive             | (nothing)                                     | all, node (the new one) |
 * | NodeBye               | (nothing)                                     | all               |
 *
 * The node messages are how nodes know each other (see `NodePresence`): a
 * node that starts says hello and every other node answers on its channel;
 * nodes say they are alive at an interval, and goodbye when they stop.
 *
 * `serialized` is the hub message already serialized and framed by every
 * protocol of the hub, flattened as `[name, bytes, name, bytes…]` (as ASP.NET
 * Core's Redis backplane does): a receiving node writes the bytes matching
 * each connection's protocol as they are, without decoding the message.
 */
export enum BackplaneMessageType {
  Invocation = 1,
  GroupsInvocation = 2,
  ConnectionsInvocation = 3,
  GroupCommand = 4,
  Ack = 5,
  ClientInvocation = 6,
  ClientCompletion = 7,
  ClientCancel = 8,
  NodeHello = 9,
  NodeAlive = 10,
  NodeBye = 11,
}

/** How a client-result invocation ended on the node of the connection. */
export enum ClientResultOutcome {
  /** `value` is the client's result. */
  Result = 0,
  /** `value` is the error text the client answered with (a HubException where awaited). */
  ClientError = 1,
  /** `value` is the text of the server's error (the connection does not exist, disconnected). */
  ServerError = 2,
}

export enum GroupAction {
  Add = 1,
  Remove = 2,
}

/** A hub message framed by each protocol: `[protocolName, bytes, …]`. */
export type SerializedPayload = (string | Buffer)[];

export type BackplaneMessage =
  | [sender: string, type: BackplaneMessageType.Invocation, excluded: string[] | null, serialized: SerializedPayload]
  | [sender: string, type: BackplaneMessageType.GroupsInvocation, groupNames: string[], serialized: SerializedPayload]
  | [
      sender: string,
      type: BackplaneMessageType.ConnectionsInvocation,
      connectionIds: string[],
      serialized: SerializedPayload,
    ]
  | [
      sender: string,
      type: BackplaneMessageType.GroupCommand,
      ackId: number,
      action: GroupAction,
      groupName: string,
      connectionId: string,
    ]
  | [sender: string, type: BackplaneMessageType.Ack, ackId: number]
  | [
      sender: string,
      type: BackplaneMessageType.ClientInvocation,
      connectionId: string,
      invocationId: string,
      serialized: SerializedPayload,
    ]
  | [
      sender: string,
      type: BackplaneMessageType.ClientCompletion,
      connectionId: string,
      invocationId: string,
      outcome: ClientResultOutcome,
      value: unknown,
    ]
  | [sender: string, type: BackplaneMessageType.ClientCancel, connectionId: string, invocationId: string]
  | [
      sender: string,
      type: BackplaneMessageType.NodeHello | BackplaneMessageType.NodeAlive | BackplaneMessageType.NodeBye,
    ];

// Plain MessagePack maps (no msgpackr records): client results may be any
// value, and nothing here needs structures shared between messages.
const packr = new Packr({ useRecords: false });

export function encodeMessage(message: BackplaneMessage): Buffer {
  return packr.pack(message);
}

/** Throws on bytes that are not MessagePack; the caller checks the shape it uses. */
export function decodeMessage(payload: Buffer): BackplaneMessage {
  const message = packr.unpack(payload) as BackplaneMessage;
  if (!Array.isArray(message) || message.length < 2) throw new Error('Not a backplane message.');
  return message;
}

/**
 * The bytes every message of `nodeId` starts with after its 1-byte array
 * header (arrays of up to 15 items are a MessagePack fixarray; the id a
 * fixstr): a node recognizes its own messages echoed by the broker without
 * decoding them.
 */
export function senderPrefix(nodeId: string): Buffer {
  return packr.pack(nodeId);
}

export function isFromSender(payload: Buffer, prefix: Buffer): boolean {
  return payload.length > prefix.length && payload.compare(prefix, 0, prefix.length, 1, prefix.length + 1) === 0;
}
