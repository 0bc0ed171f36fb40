import type { HubMessage } from '../protocol/hub-message.js';
import type { SerializedHubMessage } from '../protocol/serialized-hub-message.js';

/**
 * What a lifetime manager needs of a connection: who it is, the groups it is
 * in, and a way to write to it. The hub's connection implements it; a lifetime
 * manager (or a test) needs nothing else, and never imports the hub.
 */
export interface LifetimeConnection {
  readonly connectionId: string;
  /** The user the connection belongs to (`userIdProvider`), if any. */
  readonly userIdentifier: string | undefined;
  /** Groups the connection is in: kept by the lifetime manager, undefined until the first. */
  groupNames?: Set<string>;
  /** Serializes `message` with the connection's protocol and queues it. */
  writeMessage(message: HubMessage): void;
  /** Queues a message serialized once for many connections: the bytes of the connection's protocol. */
  writeSerialized(message: SerializedHubMessage): void;
}
