import { HubException } from '../../hub/hub-exception.js';
import { type CompletionMessage, MessageType } from '../../protocol/hub-message.js';
import type { HubProtocol } from '../../protocol/hub-protocol.js';
import { JsonHubProtocol } from '../../protocol/json-hub-protocol.js';
import { MessagePackHubProtocol } from '../../protocol/messagepack-hub-protocol.js';
import { SerializedHubMessage } from '../../protocol/serialized-hub-message.js';
import { ClientResults } from '../client-results.js';
import { DefaultHubLifetimeManager } from '../default-hub-lifetime-manager.js';
import { requireGroupName } from '../group-names.js';
import { HubLifetimeManager } from '../hub-lifetime-manager.js';
import type { LifetimeConnection } from '../lifetime-connection.js';
import { GroupAcks } from './group-acks.js';
import { newNodeConnectionId, nodeIdOf } from './node-ids.js';
import { NodePresence } from './node-presence.js';
import { ScaleoutChannels } from './scaleout-channels.js';
import type { ScaleoutNode } from './scaleout-node.js';
import {
  type BackplaneMessage,
  BackplaneMessageType,
  ClientResultOutcome,
  decodeMessage,
  encodeMessage,
  GroupAction,
  type SerializedPayload,
} from './scaleout-protocol.js';

const DONE = Promise.resolve();

/**
 * A lifetime manager for a hub served by several nodes that share a broker
 * (ASP.NET Core's RedisHubLifetimeManager, for any `BackplaneBus`). Local
 * connections are the in-memory manager's, which this one wraps: every send
 * is delivered locally at once, then published once, serialized by every
 * protocol of the hub, for the other nodes to write as is to their own
 * connections.
 *
 * Delivery to other nodes is at most once, as with ASP.NET Core's Redis
 * backplane: pub/sub keeps no message for a node that is not subscribed at
 * that moment, and nothing is resent after a fault. Messages from one node
 * on one channel arrive at another in the order they were sent.
 */
export class ScaleoutHubLifetimeManager extends HubLifetimeManager {
  /** The connections of this node. */
  readonly local = new DefaultHubLifetimeManager();
  private readonly channels: ScaleoutChannels;
  private readonly nodeId: string;
  private readonly nodeChannel: string;
  private readonly acks: GroupAcks;
  private readonly presence: NodePresence;
  private readonly heartbeat: NodeJS.Timeout;
  /** A heartbeat awaits the broker. */
  private beating = false;
  private readonly stopListening: () => void;
  /** Client results this node awaits from connections on other nodes. */
  private readonly remoteResults: ClientResults;
  /** Client-result invocations of other nodes to connections of this one, by invocation id. */
  private readonly forwardedInvocations = new Map<string, AbortController>();
  /**
   * The hub's protocols, from `init`; until then (or on a node that uses the
   * HubContext of a hub it does not serve) the built-in ones.
   */
  private protocols: readonly HubProtocol[] = [new JsonHubProtocol(), new MessagePackHubProtocol()];
  private protocolsByName = byName(this.protocols);
  /**
   * Settles once `all` and the node channel are subscribed and this node has
   * said hello, or the broker failed to come up within the node's `timeout`
   * (which delays the first connections that long, once).
   */
  private readonly started: Promise<unknown>;

  constructor(
    hubPath: string,
    private readonly node: ScaleoutNode,
  ) {
    super();
    this.nodeId = node.nodeId;
    this.channels = new ScaleoutChannels(node.prefix, hubPath);
    this.nodeChannel = this.channels.node(this.nodeId);
    this.acks = new GroupAcks(node.groupAckTimeout);
    this.remoteResults = new ClientResults(`${this.nodeId}.`);
    this.presence = new NodePresence(node.heartbeatInterval, (gone) => this.onNodeGone(gone));
    this.started = Promise.all([
      node.subscribe(this.channels.all, this.onAllMessage),
      node.subscribe(this.nodeChannel, this.onNodeMessage),
    ])
      .catch(() => {}) // not subscribed yet: the bus subscribes when it connects
      .then(() => node.whenConnectedOrTimedOut())
      .then(() => this.announce(BackplaneMessageType.NodeHello));
    // A node that was cut off may have missed hellos and goodbyes: it asks again.
    this.stopListening = node.onReconnected(() => {
      this.presence.grace();
      this.announce(BackplaneMessageType.NodeHello);
    });
    node.onClose(() => this.dispose());
    this.heartbeat = setInterval(() => this.beat(), node.heartbeatInterval).unref();
  }

  override init(protocols: readonly HubProtocol[]): void {
    this.protocols = protocols;
    this.protocolsByName = byName(protocols);
    this.local.init(protocols);
  }

  /** Whether this node is connected to the broker, with every channel it needs subscribed. */
  get connected(): boolean {
    return this.node.connected;
  }

  /** Resolves when {@link connected}: for health checks and tests. */
  whenConnected(): Promise<void> {
    return this.node.whenConnected();
  }

  /** Other nodes of this hub heard from lately. */
  get knownNodeCount(): number {
    return this.presence.size;
  }

  /** Says goodbye (other nodes stop waiting for this one at once): when the app's node closes. */
  private dispose(): void {
    clearInterval(this.heartbeat);
    this.stopListening();
    this.announce(BackplaneMessageType.NodeBye);
  }

  override newConnectionId(): string {
    return newNodeConnectionId(this.nodeId);
  }

  async onConnected(connection: LifetimeConnection): Promise<void> {
    await this.local.onConnected(connection);
    const user = connection.userIdentifier;
    // A connection's invocations wait for this (HubConnectionHandler): once a
    // client's first invocation has completed, sends from every node reach it.
    // A broker that does not answer delays a connection by `timeout` at most,
    // and does not fail it: it is served locally, and the bus subscribes later.
    if (user !== undefined) {
      await this.node.subscribe(this.channels.user(user), this.userHandler(user)).catch(() => {});
    }
    await this.started;
  }

  async onDisconnected(connection: LifetimeConnection): Promise<void> {
    const groups = connection.groupNames && [...connection.groupNames];
    await this.local.onDisconnected(connection);
    if (groups) for (const group of groups) this.leftGroup(group);
    const user = connection.userIdentifier;
    if (user !== undefined && !this.local.hasUser(user)) this.node.unsubscribe(this.channels.user(user));
  }

  // ---- sends ----------------------------------------------------------------

  sendAll(method: string, args: unknown[]): Promise<void> {
    const message = invocation(method, args);
    this.local.writeAll(message);
    this.publishInvocation(this.channels.all, null, message);
    return DONE;
  }

  sendAllExcept(method: string, args: unknown[], excludedConnectionIds: readonly string[]): Promise<void> {
    const message = invocation(method, args);
    this.local.writeAll(message, excludedConnectionIds);
    this.publishInvocation(this.channels.all, excludedConnectionIds, message);
    return DONE;
  }

  sendConnection(connectionId: string, method: string, args: unknown[]): Promise<void> {
    return this.sendConnections([connectionId], method, args);
  }

  sendConnections(connectionIds: readonly string[], method: string, args: unknown[]): Promise<void> {
    let message: SerializedHubMessage | undefined;
    let remote: Map<string, string[]> | undefined;
    for (const id of connectionIds) {
      const connection = this.local.getConnection(id);
      if (connection) {
        connection.writeSerialized((message ??= invocation(method, args)));
        continue;
      }
      const node = nodeIdOf(id);
      if (node === undefined || node === this.nodeId) continue; // no such connection
      remote ??= new Map();
      const ids = remote.get(node);
      if (ids) {
        if (!ids.includes(id)) ids.push(id);
      } else remote.set(node, [id]);
    }
    if (remote) {
      const serialized = this.serialize((message ??= invocation(method, args)));
      for (const [node, ids] of remote) {
        this.node.publish(
          this.channels.node(node),
          encodeMessage([this.nodeId, BackplaneMessageType.ConnectionsInvocation, ids, serialized]),
        );
      }
    }
    return DONE;
  }

  sendGroup(groupName: string, method: string, args: unknown[]): Promise<void> {
    const message = invocation(method, args);
    this.local.writeGroup(requireGroupName(groupName), message);
    this.publishInvocation(this.channels.group(groupName), null, message);
    return DONE;
  }

  /**
   * One message to each group's channel, all listing every group: a node
   * that gets several copies gives each connection the copy of the first
   * listed group it is in (see `writeGroupOnce`), so no one gets it twice.
   */
  sendGroups(groupNames: readonly string[], method: string, args: unknown[]): Promise<void> {
    const groups = [...new Set(groupNames.map(requireGroupName))];
    const message = invocation(method, args);
    this.local.writeGroups(groups, message);
    const payload = encodeMessage([
      this.nodeId,
      BackplaneMessageType.GroupsInvocation,
      groups,
      this.serialize(message),
    ]);
    for (const group of groups) this.node.publish(this.channels.group(group), payload);
    return DONE;
  }

  sendGroupExcept(
    groupName: string,
    method: string,
    args: unknown[],
    excludedConnectionIds: readonly string[],
  ): Promise<void> {
    const message = invocation(method, args);
    this.local.writeGroup(requireGroupName(groupName), message, excludedConnectionIds);
    this.publishInvocation(this.channels.group(groupName), excludedConnectionIds, message);
    return DONE;
  }

  sendUser(userId: string, method: string, args: unknown[]): Promise<void> {
    const message = invocation(method, args);
    this.local.writeUser(userId, message);
    this.publishInvocation(this.channels.user(userId), null, message);
    return DONE;
  }

  /** A connection is one user's, so one message per user channel reaches each connection once. */
  sendUsers(userIds: readonly string[], method: string, args: unknown[]): Promise<void> {
    const users = [...new Set(userIds)];
    const message = invocation(method, args);
    this.local.writeUsers(users, message);
    const payload = encodeMessage([this.nodeId, BackplaneMessageType.Invocation, null, this.serialize(message)]);
    for (const user of users) this.node.publish(this.channels.user(user), payload);
    return DONE;
  }

  // ---- groups ---------------------------------------------------------------

  /**
   * A local connection joins at once and this node subscribes to the group,
   * resolving once the broker confirmed it; if the broker does not answer
   * within `timeout`, the connection leaves the group again and this rejects
   * ("The … backplane is unavailable."). A connection of another node is
   * changed by that node, which acks: this resolves on the ack, and rejects
   * after `groupAckTimeout`, or when the broker is unavailable.
   */
  async addToGroup(connectionId: string, groupName: string): Promise<void> {
    requireGroupName(groupName);
    if (this.local.getConnection(connectionId)) return this.addLocal(connectionId, groupName);
    return this.changeRemoteGroup(GroupAction.Add, connectionId, groupName);
  }

  async removeFromGroup(connectionId: string, groupName: string): Promise<void> {
    requireGroupName(groupName);
    if (this.local.getConnection(connectionId)) return this.removeLocal(connectionId, groupName);
    return this.changeRemoteGroup(GroupAction.Remove, connectionId, groupName);
  }

  private async addLocal(connectionId: string, groupName: string): Promise<void> {
    await this.local.addToGroup(connectionId, groupName);
    if (!this.local.hasGroup(groupName)) return;
    try {
      await this.node.subscribe(this.channels.group(groupName), this.groupHandler(groupName));
    } catch (error) {
      await this.removeLocal(connectionId, groupName);
      throw error;
    }
  }

  private async removeLocal(connectionId: string, groupName: string): Promise<void> {
    await this.local.removeFromGroup(connectionId, groupName);
    this.leftGroup(groupName);
  }

  /** Unsubscribes from a group that has no local member left. */
  private leftGroup(groupName: string): void {
    if (!this.local.hasGroup(groupName)) this.node.unsubscribe(this.channels.group(groupName));
  }

  private async changeRemoteGroup(action: GroupAction, connectionId: string, groupName: string): Promise<void> {
    const owner = nodeIdOf(connectionId);
    if (owner === undefined || owner === this.nodeId) return; // no such connection: nothing to change
    if (!this.node.connected) throw this.node.unavailable();
    if (!this.presence.has(owner)) return; // that node is gone, and its connections with it
    const { id, acked } = this.acks.create(owner, connectionId);
    const command = encodeMessage([
      this.nodeId,
      BackplaneMessageType.GroupCommand,
      id,
      action,
      groupName,
      connectionId,
    ]);
    this.node.publishConfirmed(this.channels.node(owner), command).catch((error: Error) => this.acks.fail(id, error));
    return acked;
  }

  // ---- client results -------------------------------------------------------

  /**
   * The node of the connection forwards the invocation and publishes how it
   * ended: the result, the client's error (a HubException here too), or its
   * own error (the connection does not exist, or disconnected). `signal` (the
   * proxy's `clientResultTimeout`) ends the wait here and the forwarded
   * invocation there.
   */
  invokeConnection<T>(connectionId: string, method: string, args: unknown[], signal?: AbortSignal): Promise<T> {
    if (this.local.getConnection(connectionId)) {
      return this.local.invokeConnection<T>(connectionId, method, args, signal);
    }
    const owner = nodeIdOf(connectionId);
    if (owner === undefined || owner === this.nodeId) {
      return Promise.reject(new Error(`Connection '${connectionId}' does not exist.`));
    }
    if (!this.node.connected) return Promise.reject(this.node.unavailable());
    if (!this.presence.has(owner)) return Promise.reject(new Error(`Connection '${connectionId}' does not exist.`));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const invocationId = this.remoteResults.nextInvocationId();
    const result = this.remoteResults.add<T>(invocationId, connectionId, signal);
    const message = new SerializedHubMessage({
      type: MessageType.Invocation,
      invocationId,
      target: method,
      arguments: args,
    });
    const nodeChannel = this.channels.node(owner);
    const payload = encodeMessage([
      this.nodeId,
      BackplaneMessageType.ClientInvocation,
      connectionId,
      invocationId,
      this.serialize(message),
    ]);
    this.node
      .publishConfirmed(nodeChannel, payload)
      .catch((error: Error) => this.remoteResults.fail(connectionId, invocationId, error));
    if (signal) {
      const cancel = () =>
        this.node.publish(
          nodeChannel,
          encodeMessage([this.nodeId, BackplaneMessageType.ClientCancel, connectionId, invocationId]),
        );
      signal.addEventListener('abort', cancel, { once: true });
      const release = () => signal.removeEventListener('abort', cancel);
      result.then(release, release);
    }
    return result;
  }

  setConnectionResult(connectionId: string, completion: CompletionMessage): boolean {
    return this.local.setConnectionResult(connectionId, completion);
  }

  // ---- messages from other nodes -------------------------------------------

  private readonly onAllMessage = (payload: Buffer): void => {
    const message = decodeMessage(payload);
    switch (message[1]) {
      case BackplaneMessageType.Invocation:
        this.local.writeAll(this.deserialize(message[3]), message[2] ?? undefined);
        break;
      case BackplaneMessageType.NodeHello:
        this.presence.seen(message[0]);
        this.node.publish(this.channels.node(message[0]), this.presenceMessage(BackplaneMessageType.NodeAlive));
        break;
      case BackplaneMessageType.NodeAlive:
        this.presence.seen(message[0]);
        break;
      case BackplaneMessageType.NodeBye:
        this.presence.gone(message[0]);
        break;
    }
  };

  private groupHandler(groupName: string) {
    return (payload: Buffer): void => {
      const message = decodeMessage(payload);
      if (message[1] === BackplaneMessageType.Invocation) {
        this.local.writeGroup(groupName, this.deserialize(message[3]), message[2] ?? undefined);
      } else if (message[1] === BackplaneMessageType.GroupsInvocation) {
        const index = message[2].indexOf(groupName);
        if (index !== -1) this.local.writeGroupOnce(message[2], index, this.deserialize(message[3]));
      }
    };
  }

  private userHandler(userId: string) {
    return (payload: Buffer): void => {
      const message = decodeMessage(payload);
      if (message[1] === BackplaneMessageType.Invocation) this.local.writeUser(userId, this.deserialize(message[3]));
    };
  }

  private readonly onNodeMessage = (payload: Buffer): void => {
    const message = decodeMessage(payload);
    // Whatever a node sends proves it is there (the answer to a hello, for one).
    this.presence.seen(message[0]);
    switch (message[1]) {
      case BackplaneMessageType.ConnectionsInvocation:
        this.local.writeConnections(message[2], this.deserialize(message[3]));
        break;
      case BackplaneMessageType.GroupCommand:
        void this.onGroupCommand(message);
        break;
      case BackplaneMessageType.Ack:
        this.acks.ack(message[2]);
        break;
      case BackplaneMessageType.ClientInvocation:
        this.onClientInvocation(message);
        break;
      case BackplaneMessageType.ClientCompletion:
        this.onClientCompletion(message);
        break;
      case BackplaneMessageType.ClientCancel:
        this.forwardedInvocations.get(message[3])?.abort();
        break;
    }
  };

  /**
   * Says this node is alive and forgets the nodes silent for too long; but
   * only when the broker takes this node's own heartbeat in time: silence
   * heard through a broker that does not answer (frozen) proves nothing.
   */
  private beat(): void {
    if (!this.node.connected || this.beating) return;
    this.beating = true;
    const sent = Date.now();
    this.node.publishConfirmed(this.channels.all, this.presenceMessage(BackplaneMessageType.NodeAlive)).then(
      () => {
        this.beating = false;
        if (Date.now() - sent < this.node.heartbeatInterval) this.presence.sweep();
        else this.presence.grace();
      },
      () => {
        this.beating = false;
        this.presence.grace();
      },
    );
  }

  /** Another node has said goodbye or gone silent: nothing awaited from it will come. */
  private onNodeGone(nodeId: string): void {
    this.acks.nodeGone(nodeId);
    this.remoteResults.cancelConnections((connectionId) => nodeIdOf(connectionId) === nodeId);
  }

  private announce(
    type: BackplaneMessageType.NodeHello | BackplaneMessageType.NodeAlive | BackplaneMessageType.NodeBye,
  ) {
    this.node.publish(this.channels.all, this.presenceMessage(type));
  }

  private presenceMessage(
    type: BackplaneMessageType.NodeHello | BackplaneMessageType.NodeAlive | BackplaneMessageType.NodeBye,
  ): Buffer {
    return encodeMessage([this.nodeId, type]);
  }

  /** Applies a group change to a connection of this node, then acks (a connection gone: nothing to do). */
  private async onGroupCommand(
    message: Extract<BackplaneMessage, [string, BackplaneMessageType.GroupCommand, ...unknown[]]>,
  ): Promise<void> {
    const [sender, , ackId, action, groupName, connectionId] = message;
    try {
      if (this.local.getConnection(connectionId)) {
        if (action === GroupAction.Add) await this.addLocal(connectionId, groupName);
        else await this.removeLocal(connectionId, groupName);
      }
    } catch {
      // An invalid group name: nothing to change, as for an unknown connection.
    }
    this.node.publish(this.channels.node(sender), encodeMessage([this.nodeId, BackplaneMessageType.Ack, ackId]));
  }

  /** Forwards another node's client-result invocation to a connection of this node, and publishes how it ended. */
  private onClientInvocation(
    message: Extract<BackplaneMessage, [string, BackplaneMessageType.ClientInvocation, ...unknown[]]>,
  ): void {
    const [sender, , connectionId, invocationId, serialized] = message;
    const replyTo = this.channels.node(sender);
    const cancellation = new AbortController();
    this.forwardedInvocations.set(invocationId, cancellation);
    const reply = (outcome: ClientResultOutcome, value: unknown) => {
      this.forwardedInvocations.delete(invocationId);
      if (cancellation.signal.aborted) return; // the invoker has stopped waiting
      this.node.publish(
        replyTo,
        encodeMessage([this.nodeId, BackplaneMessageType.ClientCompletion, connectionId, invocationId, outcome, value]),
      );
    };
    this.local
      .invokeConnectionSerialized(connectionId, invocationId, this.deserialize(serialized), cancellation.signal)
      .then(
        (result) => reply(ClientResultOutcome.Result, result),
        (error: Error) =>
          reply(
            error instanceof HubException ? ClientResultOutcome.ClientError : ClientResultOutcome.ServerError,
            error.message,
          ),
      );
  }

  private onClientCompletion(
    message: Extract<BackplaneMessage, [string, BackplaneMessageType.ClientCompletion, ...unknown[]]>,
  ): void {
    const [, , connectionId, invocationId, outcome, value] = message;
    if (outcome === ClientResultOutcome.ServerError) {
      this.remoteResults.fail(connectionId, invocationId, new Error(String(value)));
      return;
    }
    const completion: CompletionMessage = { type: MessageType.Completion, invocationId };
    if (outcome === ClientResultOutcome.ClientError) completion.error = String(value);
    else completion.result = value;
    this.remoteResults.complete(connectionId, completion);
  }

  // ---- serialization --------------------------------------------------------

  private publishInvocation(
    channel: string,
    excludedConnectionIds: readonly string[] | null,
    message: SerializedHubMessage,
  ): void {
    const excluded =
      excludedConnectionIds === null || excludedConnectionIds.length === 0 ? null : (excludedConnectionIds as string[]);
    this.node.publish(
      channel,
      encodeMessage([this.nodeId, BackplaneMessageType.Invocation, excluded, this.serialize(message)]),
    );
  }

  /** The message framed by every protocol of the hub (local connections reuse the same bytes). */
  private serialize(message: SerializedHubMessage): SerializedPayload {
    const payload: SerializedPayload = [];
    for (const protocol of this.protocols) payload.push(protocol.name, message.getBytes(protocol));
    return payload;
  }

  private deserialize(payload: SerializedPayload): SerializedHubMessage {
    const message = new SerializedHubMessage(undefined);
    for (let i = 0; i + 1 < payload.length; i += 2) {
      const protocol = this.protocolsByName.get(payload[i] as string);
      if (protocol) message.addBytes(protocol, payload[i + 1] as Buffer);
    }
    return message;
  }
}

function byName(protocols: readonly HubProtocol[]): Map<string, HubProtocol> {
  return new Map(protocols.map((protocol) => [protocol.name, protocol]));
}

function invocation(method: string, args: unknown[]): SerializedHubMessage {
  return new SerializedHubMessage({ type: MessageType.Invocation, target: method, arguments: args });
}
