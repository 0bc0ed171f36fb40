import type { HubLifetimeManager } from '../lifetime/hub-lifetime-manager.js';

/** Adds connections to groups and removes them; groups exist while they have members. */
export class GroupManager {
  constructor(private readonly manager: HubLifetimeManager) {}

  add(connectionId: string, groupName: string): Promise<void> {
    return this.manager.addToGroup(connectionId, groupName);
  }

  remove(connectionId: string, groupName: string): Promise<void> {
    return this.manager.removeFromGroup(connectionId, groupName);
  }
}
