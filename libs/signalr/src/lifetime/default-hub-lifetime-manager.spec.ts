import { JsonHubProtocol } from '../protocol/json-hub-protocol.js';
import type { SerializedHubMessage } from '../protocol/serialized-hub-message.js';
import { DefaultHubLifetimeManager } from './default-hub-lifetime-manager.js';
import type { LifetimeConnection } from './lifetime-connection.js';

/** A connection that records what it is sent. */
function fakeConnection(connectionId: string, userIdentifier?: string) {
  const received: string[] = [];
  const protocol = new JsonHubProtocol();
  const connection: LifetimeConnection = {
    connectionId,
    userIdentifier,
    writeSerialized: (message: SerializedHubMessage) => received.push(message.getBytes(protocol).toString()),
    writeMessage: (message: unknown) => received.push(JSON.stringify(message)),
  };
  return { connection, received };
}

describe('DefaultHubLifetimeManager', () => {
  it('serializes a broadcast once for all its recipients', async () => {
    const manager = new DefaultHubLifetimeManager();
    const a = fakeConnection('a');
    const b = fakeConnection('b');
    await manager.onConnected(a.connection);
    await manager.onConnected(b.connection);
    const spy = vi.spyOn(JsonHubProtocol.prototype, 'writeMessage');
    await manager.sendAll('m', [1]);
    // Each fake has its own protocol instance, so two serializations at most; a
    // real hub shares one protocol instance: one serialization.
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    expect(a.received).toEqual(b.received);
    spy.mockRestore();
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
