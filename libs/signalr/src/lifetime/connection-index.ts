import type { LifetimeConnection } from './lifetime-connection.js';

/**
 * Connections indexed by a key (a group name, a user id). A key exists only
 * while it has connections, so an index never outgrows its members.
 */
export class ConnectionIndex {
  private readonly byKey = new Map<string, Set<LifetimeConnection>>();

  get(key: string): ReadonlySet<LifetimeConnection> | undefined {
    return this.byKey.get(key);
  }

  add(key: string, connection: LifetimeConnection): void {
    let members = this.byKey.get(key);
    if (!members) this.byKey.set(key, (members = new Set()));
    members.add(connection);
  }

  delete(key: string, connection: LifetimeConnection): void {
    const members = this.byKey.get(key);
    if (members?.delete(connection) && members.size === 0) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
