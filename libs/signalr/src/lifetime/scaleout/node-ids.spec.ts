import { newNodeConnectionId, newNodeId, nodeIdOf } from './node-ids.js';

describe('node ids in connection ids', () => {
  it('tags a connection id with its node, and reads it back', () => {
    const node = newNodeId();
    expect(node).toMatch(/^[A-Za-z0-9_-]{8}$/);
    const id = newNodeConnectionId(node);
    expect(id).toMatch(new RegExp(`^[A-Za-z0-9_-]{22}\\.${node}$`));
    expect(nodeIdOf(id)).toBe(node);
    expect(newNodeConnectionId(node)).not.toBe(id);
  });

  it('finds no node in ids that name none', () => {
    expect(nodeIdOf('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(nodeIdOf('trailing.')).toBeUndefined();
    expect(nodeIdOf(42 as unknown as string)).toBeUndefined();
  });
});
