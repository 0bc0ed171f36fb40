import type { HubConnectionContext } from '../hub/hub-connection-context.js';
import { type CompletionMessage, type InvocationMessage, MessageType } from '../protocol/hub-message.js';
import { SerializedHubMessage } from '../protocol/serialized-hub-message.js';
import { ClientResults } from './client-results.js';
import { ConnectionIndex } from './connection-index.js';
import { HubLifetimeManager } from './hub-lifetime-manager.js';

const DONE = Promise.resolve();

/**
 * The in-memory lifetime manager: connections of this process only. Group and
 * user indexes make a targeted send cost what its recipients cost, and a
 * message is serialized once per protocol, not once per recipient.
 */
export class DefaultHubLifetimeManager extends HubLifetimeManager {
  private readonly connections = new Map<string, HubConnectionContext>();
  private readonly groups = new ConnectionIndex();
  private readonly users = new ConnectionIndex();
  private readonly clientResults = new ClientResults();

  get connectionCount(): number {
    return this.connections.size;
  }

  /** The local connection with this id, if any. */
  getConnection(connectionId: string): HubConnectionContext | undefined {
    return this.connections.get(connectionId);
  }

  onConnected(connection: HubConnectionContext): Promise<void> {
    this.connections.set(connection.connectionId, connection);
    if (connection.userIdentifier !== undefined) this.users.add(connection.userIdentifier, connection);
    return DONE;
  }

  onDisconnected(connection: HubConnectionContext): Promise<void> {
    this.connections.delete(connection.connectionId);
    if (connection.userIdentifier !== undefined) this.users.delete(connection.userIdentifier, connection);
    if (connection.groupNames) {
      for (const group of connection.groupNames) this.groups.delete(group, connection);
      connection.groupNames = undefined;
    }
    this.clientResults.cancelConnection(connection.connectionId);
    return DONE;
  }

  sendAll(method: string, args: unknown[]): Promise<void> {
    if (this.connections.size === 0) return DONE;
    const message = invocation(method, args);
    for (const connection of this.connections.values()) connection.writeSerialized(message);
    return DONE;
  }

  sendAllExcept(method: string, args: unknown[], excludedConnectionIds: readonly string[]): Promise<void> {
    const excluded = toLookup(excludedConnectionIds);
    let message: SerializedHubMessage | undefined;
    for (const connection of this.connections.values()) {
      if (excluded.has(connection.connectionId)) continue;
      connection.writeSerialized((message ??= invocation(method, args)));
    }
    return DONE;
  }

  sendConnection(connectionId: string, method: string, args: unknown[]): Promise<void> {
    this.connections.get(connectionId)?.writeMessage({ type: MessageType.Invocation, target: method, arguments: args });
    return DONE;
  }

  sendConnections(connectionIds: readonly string[], method: string, args: unknown[]): Promise<void> {
    let message: SerializedHubMessage | undefined;
    for (const id of new Set(connectionIds)) {
      const connection = this.connections.get(id);
      if (connection) connection.writeSerialized((message ??= invocation(method, args)));
    }
    return DONE;
  }

  sendGroup(groupName: string, method: string, args: unknown[]): Promise<void> {
    const members = this.groups.get(requireGroupName(groupName));
    if (!members) return DONE;
    const message = invocation(method, args);
    for (const connection of members) connection.writeSerialized(message);
    return DONE;
  }

  sendGroups(groupNames: readonly string[], method: string, args: unknown[]): Promise<void> {
    return this.sendToIndexed(this.groups, groupNames.map(requireGroupName), method, args);
  }

  sendGroupExcept(
    groupName: string,
    method: string,
    args: unknown[],
    excludedConnectionIds: readonly string[],
  ): Promise<void> {
    const members = this.groups.get(requireGroupName(groupName));
    if (!members) return DONE;
    const excluded = toLookup(excludedConnectionIds);
    let message: SerializedHubMessage | undefined;
    for (const connection of members) {
      if (excluded.has(connection.connectionId)) continue;
      connection.writeSerialized((message ??= invocation(method, args)));
    }
    return DONE;
  }

  sendUser(userId: string, method: string, args: unknown[]): Promise<void> {
    const connections = this.users.get(userId);
    if (!connections) return DONE;
    const message = invocation(method, args);
    for (const connection of connections) connection.writeSerialized(message);
    return DONE;
  }

  sendUsers(userIds: readonly string[], method: string, args: unknown[]): Promise<void> {
    return this.sendToIndexed(this.users, userIds, method, args);
  }

  addToGroup(connectionId: string, groupName: string): Promise<void> {
    requireGroupName(groupName);
    const connection = this.connections.get(connectionId);
    if (connection) {
      (connection.groupNames ??= new Set()).add(groupName);
      this.groups.add(groupName, connection);
    }
    return DONE;
  }

  removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    requireGroupName(groupName);
    const connection = this.connections.get(connectionId);
    if (connection?.groupNames?.delete(groupName)) this.groups.delete(groupName, connection);
    return DONE;
  }

  invokeConnection<T>(connectionId: string, method: string, args: unknown[], signal?: AbortSignal): Promise<T> {
    const connection = this.connections.get(connectionId);
    if (!connection) return Promise.reject(new Error(`Connection '${connectionId}' does not exist.`));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const invocationId = this.clientResults.nextInvocationId();
    const result = this.clientResults.add<T>(invocationId, connectionId, signal);
    connection.writeMessage({ type: MessageType.Invocation, invocationId, target: method, arguments: args });
    return result;
  }

  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean {
    return this.clientResults.complete(connectionId, completion);
  }

  /** Each connection receives the message once, however many of the keys it is under. */
  private sendToIndexed(index: ConnectionIndex, keys: readonly string[], method: string, args: unknown[]): Promise<void> {
    const seen = new Set<HubConnectionContext>();
    let message: SerializedHubMessage | undefined;
    for (const key of keys) {
      const members = index.get(key);
      if (!members) continue;
      for (const connection of members) {
        if (seen.has(connection)) continue;
        seen.add(connection);
        connection.writeSerialized((message ??= invocation(method, args)));
      }
    }
    return DONE;
  }
}

function invocation(method: string, args: unknown[]): SerializedHubMessage {
  const message: InvocationMessage = { type: MessageType.Invocation, target: method, arguments: args };
  return new SerializedHubMessage(message);
}

/** Exclusion lists are usually one id (the caller): scan short ones, hash long ones. */
function toLookup(ids: readonly string[]): { has(id: string): boolean } {
  return ids.length <= 8 ? { has: (id) => ids.includes(id) } : new Set(ids);
}

function requireGroupName(groupName: string): string {
  if (typeof groupName !== 'string' || groupName.length === 0) {
    throw new TypeError('Cannot send to an empty group name.');
  }
  return groupName;
}
