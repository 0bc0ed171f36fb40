import { newConnectionId } from '../connections/connection-ids.js';
import type { CompletionMessage } from '../protocol/hub-message.js';
import type { HubProtocol } from '../protocol/hub-protocol.js';
import type { LifetimeConnection } from './lifetime-connection.js';

/**
 * Knows every connection of one hub and delivers messages to them (ASP.NET
 * Core's HubLifetimeManager). The in-memory manager is the default; a
 * backplane implements the same contract across several server nodes.
 * Unknown connections, groups and users are ignored, as in ASP.NET Core.
 */
export abstract class HubLifetimeManager {
  /**
   * Called once the hub is assembled, before it serves connections, with the
   * protocols its connections may use: a backplane serializes a message for
   * each of them.
   */
  init(_protocols: readonly HubProtocol[]): void {}

  /** Id of a new connection; a backplane may encode in it the node that serves the connection. */
  newConnectionId(): string {
    return newConnectionId();
  }

  abstract onConnected(connection: LifetimeConnection): Promise<void>;
  abstract onDisconnected(connection: LifetimeConnection): Promise<void>;

  abstract sendAll(method: string, args: unknown[]): Promise<void>;
  abstract sendAllExcept(method: string, args: unknown[], excludedConnectionIds: readonly string[]): Promise<void>;
  abstract sendConnection(connectionId: string, method: string, args: unknown[]): Promise<void>;
  abstract sendConnections(connectionIds: readonly string[], method: string, args: unknown[]): Promise<void>;
  abstract sendGroup(groupName: string, method: string, args: unknown[]): Promise<void>;
  abstract sendGroups(groupNames: readonly string[], method: string, args: unknown[]): Promise<void>;
  abstract sendGroupExcept(
    groupName: string,
    method: string,
    args: unknown[],
    excludedConnectionIds: readonly string[],
  ): Promise<void>;
  abstract sendUser(userId: string, method: string, args: unknown[]): Promise<void>;
  abstract sendUsers(userIds: readonly string[], method: string, args: unknown[]): Promise<void>;

  abstract addToGroup(connectionId: string, groupName: string): Promise<void>;
  abstract removeFromGroup(connectionId: string, groupName: string): Promise<void>;

  /**
   * Invokes a client method and resolves with the client's result. Rejects
   * when the client answers with an error, disconnects, or `signal` aborts
   * (with its reason).
   */
  abstract invokeConnection<T>(connectionId: string, method: string, args: unknown[], signal?: AbortSignal): Promise<T>;
  /** Hands a client's Completion to the invocation waiting for it; false if none waits. */
  abstract setConnectionResult(connectionId: string, completion: CompletionMessage): boolean;
}
