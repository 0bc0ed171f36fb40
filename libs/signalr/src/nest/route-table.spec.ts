import { RouteTable } from './route-table.js';

describe('RouteTable', () => {
  it('matches paths and negotiate paths without regard to case by default', () => {
    const table = new RouteTable<string>(false);
    expect(table.add('/chatHub', 'chat')).toBe(true);
    expect(table.match('/CHATHUB')).toEqual({ endpoint: 'chat', negotiate: false });
    expect(table.match('/chathub/Negotiate')).toEqual({ endpoint: 'chat', negotiate: true });
    expect(table.get('/ChatHub')).toBe('chat');
    expect(table.match('/chatHub/other')).toBeUndefined();
    expect(table.match('/negotiate')).toBeUndefined();
  });

  it('refuses a second endpoint whose path differs only in case', () => {
    const table = new RouteTable<string>(false);
    table.add('/chat', 'one');
    expect(table.add('/CHAT', 'two')).toBe(false);
  });

  it('matches exactly when case-sensitive', () => {
    const table = new RouteTable<string>(true);
    table.add('/chatHub', 'chat');
    expect(table.add('/chathub', 'other')).toBe(true);
    expect(table.match('/chatHub/negotiate')).toEqual({ endpoint: 'chat', negotiate: true });
    expect(table.match('/CHATHUB')).toBeUndefined();
    expect(table.match('/chatHub/NEGOTIATE')).toBeUndefined();
    expect(table.get('/CHATHUB')).toBeUndefined();
  });
});
