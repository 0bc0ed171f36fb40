import type { HubMessage } from '../protocol/hub-message.js';
import { JsonHubProtocol } from '../protocol/json-hub-protocol.js';
import type { SerializedHubMessage } from '../protocol/serialized-hub-message.js';
import { DefaultHubLifetimeManager } from './default-hub-lifetime-manager.js';
import type { LifetimeConnection } from './lifetime-connection.js';

/**
 * A connection that records the bytes it is sent. Connections of one hub share
 * their protocol instances, as real ones do: pass the same `protocol` to several.
 */
function fakeConnection(connectionId: string, userIdentifier?: string, protocol = new JsonHubProtocol()) {
  const received: Buffer[] = [];
  const connection: LifetimeConnection = {
    connectionId,
    userIdentifier,
    writeSerialized: (message: SerializedHubMessage) => received.push(message.getBytes(protocol)),
    writeMessage: (message: HubMessage) => received.push(protocol.writeMessage(message)),
  };
  return { connection, received };
}

describe('DefaultHubLifetimeManager', () => {
  it('serializes a broadcast once for all its recipients of one protocol', async () => {
    const manager = new DefaultHubLifetimeManager();
    const json = new JsonHubProtocol();
    const recipients = ['a', 'b', 'c'].map((id) => fakeConnection(id, undefined, json));
    for (const { connection } of recipients) await manager.onConnected(connection);
    const write = vi.spyOn(json, 'writeMessage');

    await manager.sendAll('m', [1]);

    expect(write).toHaveBeenCalledTimes(1);
    const [bytes] = recipients[0].received;
    expect(bytes.toString()).toBe('{"type":1,"target":"m","arguments":[1]}\x1e');
    // The very same buffer, not an equal copy: what one serialization produced.
    for (const { received } of recipients) {
      expect(received).toHaveLength(1);
      expect(received[0]).toBe(bytes);
    }
  });

  it('serializes a group send once, and once more per other protocol', async () => {
    const manager = new DefaultHubLifetimeManager();
    const json = new JsonHubProtocol();
    const otherJson = new JsonHubProtocol();
    const a = fakeConnection('a', undefined, json);
    const b = fakeConnection('b', undefined, json);
    const c = fakeConnection('c', undefined, otherJson);
    for (const { connection } of [a, b, c]) {
      await manager.onConnected(connection);
      await manager.addToGroup(connection.connectionId, 'g');
    }
    const writes = [vi.spyOn(json, 'writeMessage'), vi.spyOn(otherJson, 'writeMessage')];

    await manager.sendGroup('g', 'm', []);

    expect(writes.map((write) => write.mock.calls.length)).toEqual([1, 1]);
    expect(a.received[0]).toBe(b.received[0]);
    expect(c.received[0]).not.toBe(a.received[0]);
    expect(c.received[0].equals(a.received[0])).toBe(true);
  });

  it('drops a connection from its groups and user on disconnect', async () => {
    const manager = new DefaultHubLifetimeManager();
    const a = fakeConnection('a', 'ann');
    await manager.onConnected(a.connection);
    await manager.addToGroup('a', 'g');
    await manager.onDisconnected(a.connection);
    await manager.sendGroup('g', 'm', []);
    await manager.sendUser('ann', 'm', []);
    expect(a.received).toEqual([]);
    expect(manager.connectionCount).toBe(0);
  });

  it('ignores unknown connections, and refuses empty group names', async () => {
    const manager = new DefaultHubLifetimeManager();
    await expect(manager.addToGroup('nobody', 'g')).resolves.toBeUndefined();
    await expect(manager.sendConnection('nobody', 'm', [])).resolves.toBeUndefined();
    expect(() => manager.sendGroup('', 'm', [])).toThrow('Cannot send to an empty group name.');
  });

  it('rejects a client result for an unknown connection and when the connection goes', async () => {
    const manager = new DefaultHubLifetimeManager();
    await expect(manager.invokeConnection('nobody', 'm', [])).rejects.toThrow("Connection 'nobody' does not exist.");
    const a = fakeConnection('a');
    await manager.onConnected(a.connection);
    const result = manager.invokeConnection('a', 'm', []);
    await manager.onDisconnected(a.connection);
    await expect(result).rejects.toThrow("Connection 'a' disconnected.");
  });
});
