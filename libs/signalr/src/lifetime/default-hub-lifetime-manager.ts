import { type CompletionMessage, type InvocationMessage, MessageType } from '../protocol/hub-message.js';
import { SerializedHubMessage } from '../protocol/serialized-hub-message.js';
import { ClientResults } from './client-results.js';
import { ConnectionIndex } from './connection-index.js';
import { requireGroupName } from './group-names.js';
import { HubLifetimeManager } from './hub-lifetime-manager.js';
import type { LifetimeConnection } from './lifetime-connection.js';

const DONE = Promise.resolve();

/**
 * The in-memory lifetime manager: connections of this process only. Group and
 * user indexes make a targeted send cost what its recipients cost, and a
 * message is serialized once per protocol, not once per recipient.
 *
 * The `write*` methods deliver an already serialized message to the local
 * connections a selector picks; a backplane delivers through them too.
 */
export class DefaultHubLifetimeManager extends HubLifetimeManager {
  private readonly connections = new Map<string, LifetimeConnection>();
  private readonly groups = new ConnectionIndex();
  private readonly users = new ConnectionIndex();
  private readonly clientResults = new ClientResults();

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Groups with at least one member: a group leaves with its last member. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** The local connection with this id, if any. */
  getConnection(connectionId: string): LifetimeConnection | undefined {
    return this.connections.get(connectionId);
  }

  /** Whether a local connection is in the group. */
  hasGroup(groupName: string): boolean {
    return this.groups.get(groupName) !== undefined;
  }

  /** Whether a local connection belongs to the user. */
  hasUser(userId: string): boolean {
    return this.users.get(userId) !== undefined;
  }

  onConnected(connection: LifetimeConnection): Promise<void> {
    this.connections.set(connection.connectionId, connection);
    if (connection.userIdentifier !== undefined) this.users.add(connection.userIdentifier, connection);
    return DONE;
  }

  onDisconnected(connection: LifetimeConnection): Promise<void> {
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
    if (this.connections.size > 0) this.writeAll(invocation(method, args));
    return DONE;
  }

  sendAllExcept(method: string, args: unknown[], excludedConnectionIds: readonly string[]): Promise<void> {
    if (this.connections.size > 0) this.writeAll(invocation(method, args), excludedConnectionIds);
    return DONE;
  }

  sendConnection(connectionId: string, method: string, args: unknown[]): Promise<void> {
    this.connections.get(connectionId)?.writeMessage({ type: MessageType.Invocation, target: method, arguments: args });
    return DONE;
  }

  sendConnections(connectionIds: readonly string[], method: string, args: unknown[]): Promise<void> {
    this.writeConnections(connectionIds, invocation(method, args));
    return DONE;
  }

  sendGroup(groupName: string, method: string, args: unknown[]): Promise<void> {
    if (this.groups.get(requireGroupName(groupName))) this.writeGroup(groupName, invocation(method, args));
    return DONE;
  }

  sendGroups(groupNames: readonly string[], method: string, args: unknown[]): Promise<void> {
    this.writeGroups(groupNames.map(requireGroupName), invocation(method, args));
    return DONE;
  }

  sendGroupExcept(
    groupName: string,
    method: string,
    args: unknown[],
    excludedConnectionIds: readonly string[],
  ): Promise<void> {
    if (this.groups.get(requireGroupName(groupName))) {
      this.writeGroup(groupName, invocation(method, args), excludedConnectionIds);
    }
    return DONE;
  }

  sendUser(userId: string, method: string, args: unknown[]): Promise<void> {
    if (this.users.get(userId)) this.writeUser(userId, invocation(method, args));
    return DONE;
  }

  sendUsers(userIds: readonly string[], method: string, args: unknown[]): Promise<void> {
    this.writeUsers(userIds, invocation(method, args));
    return DONE;
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

  /**
   * A client-result invocation that another node serialized, with that
   * node's invocation id: awaited here (disconnect, `signal`) like a local one.
   */
  invokeConnectionSerialized<T>(
    connectionId: string,
    invocationId: string,
    message: SerializedHubMessage,
    signal?: AbortSignal,
  ): Promise<T> {
    const connection = this.connections.get(connectionId);
    if (!connection) return Promise.reject(new Error(`Connection '${connectionId}' does not exist.`));
    const result = this.clientResults.add<T>(invocationId, connectionId, signal);
    connection.writeSerialized(message);
    return result;
  }

  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean {
    return this.clientResults.complete(connectionId, completion);
  }

  // ---- local delivery of serialized messages -------------------------------

  writeAll(message: SerializedHubMessage, excludedConnectionIds?: readonly string[]): void {
    if (excludedConnectionIds === undefined || excludedConnectionIds.length === 0) {
      for (const connection of this.connections.values()) connection.writeSerialized(message);
      return;
    }
    const excluded = toLookup(excludedConnectionIds);
    for (const connection of this.connections.values()) {
      if (!excluded.has(connection.connectionId)) connection.writeSerialized(message);
    }
  }

  writeConnections(connectionIds: readonly string[], message: SerializedHubMessage): void {
    const ids = connectionIds.length === 1 ? connectionIds : new Set(connectionIds);
    for (const id of ids) this.connections.get(id)?.writeSerialized(message);
  }

  writeGroup(groupName: string, message: SerializedHubMessage, excludedConnectionIds?: readonly string[]): void {
    const members = this.groups.get(groupName);
    if (!members) return;
    if (excludedConnectionIds === undefined || excludedConnectionIds.length === 0) {
      for (const connection of members) connection.writeSerialized(message);
      return;
    }
    const excluded = toLookup(excludedConnectionIds);
    for (const connection of members) {
      if (!excluded.has(connection.connectionId)) connection.writeSerialized(message);
    }
  }

  /** Each connection receives the message once, however many of the groups it is in. */
  writeGroups(groupNames: readonly string[], message: SerializedHubMessage): void {
    this.writeIndexed(this.groups, groupNames, message);
  }

  /**
   * The members of `groupNames[index]` that are in none of the groups listed
   * before it. A backplane receives a message to several groups once per
   * group; delivering each copy this way gives every member exactly one.
   */
  writeGroupOnce(groupNames: readonly string[], index: number, message: SerializedHubMessage): void {
    const members = this.groups.get(groupNames[index]);
    if (!members) return;
    for (const connection of members) {
      let seen = false;
      for (let i = 0; i < index && !seen; i++) seen = connection.groupNames!.has(groupNames[i]);
      if (!seen) connection.writeSerialized(message);
    }
  }

  writeUser(userId: string, message: SerializedHubMessage): void {
    const connections = this.users.get(userId);
    if (!connections) return;
    for (const connection of connections) connection.writeSerialized(message);
  }

  writeUsers(userIds: readonly string[], message: SerializedHubMessage): void {
    this.writeIndexed(this.users, userIds, message);
  }

  private writeIndexed(index: ConnectionIndex, keys: readonly string[], message: SerializedHubMessage): void {
    let seen: Set<LifetimeConnection> | undefined;
    for (const key of keys) {
      const members = index.get(key);
      if (!members) continue;
      for (const connection of members) {
        if (seen?.has(connection)) continue;
        (seen ??= new Set()).add(connection);
        connection.writeSerialized(message);
      }
    }
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
