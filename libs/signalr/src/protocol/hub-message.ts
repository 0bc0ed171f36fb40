/** Message type numbers of the SignalR hub protocol (HubProtocol.md). */
export enum MessageType {
  Invocation = 1,
  StreamItem = 2,
  Completion = 3,
  StreamInvocation = 4,
  CancelInvocation = 5,
  Ping = 6,
  Close = 7,
  Ack = 8,
  Sequence = 9,
}

export type MessageHeaders = Record<string, string>;

export interface HubInvocationMessageBase {
  headers?: MessageHeaders;
}

export interface InvocationMessage extends HubInvocationMessageBase {
  type: MessageType.Invocation;
  /** Absent for a non-blocking invocation (`send`): no completion is owed. */
  invocationId?: string;
  target: string;
  arguments: unknown[];
  streamIds?: string[];
}

export interface StreamInvocationMessage extends HubInvocationMessageBase {
  type: MessageType.StreamInvocation;
  invocationId: string;
  target: string;
  arguments: unknown[];
  streamIds?: string[];
}

export interface StreamItemMessage extends HubInvocationMessageBase {
  type: MessageType.StreamItem;
  invocationId: string;
  item: unknown;
}

export interface CompletionMessage extends HubInvocationMessageBase {
  type: MessageType.Completion;
  invocationId: string;
  error?: string;
  /** Own property (possibly `null`) only for a non-void result. */
  result?: unknown;
}

export interface CancelInvocationMessage extends HubInvocationMessageBase {
  type: MessageType.CancelInvocation;
  invocationId: string;
}

export interface PingMessage {
  type: MessageType.Ping;
}

export interface CloseMessage {
  type: MessageType.Close;
  error?: string;
  allowReconnect?: boolean;
}

export interface AckMessage {
  type: MessageType.Ack;
  sequenceId: number;
}

export interface SequenceMessage {
  type: MessageType.Sequence;
  sequenceId: number;
}

export type HubMessage =
  | InvocationMessage
  | StreamInvocationMessage
  | StreamItemMessage
  | CompletionMessage
  | CancelInvocationMessage
  | PingMessage
  | CloseMessage
  | AckMessage
  | SequenceMessage;
