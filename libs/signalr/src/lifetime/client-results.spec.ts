import { MessageType } from '../protocol/hub-message.js';
import { ClientResults } from './client-results.js';

describe('ClientResults', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves with the result and rejects with the error of the completion', async () => {
    const results = new ClientResults();
    const ok = results.add('s1', 'c1', 1000);
    const failed = results.add('s2', 'c1', 1000);
    expect(results.complete('c2', { type: MessageType.Completion, invocationId: 's1', result: 1 })).toBe(false);
    expect(results.complete('c1', { type: MessageType.Completion, invocationId: 's1', result: 42 })).toBe(true);
    expect(results.complete('c1', { type: MessageType.Completion, invocationId: 's2', error: 'nope' })).toBe(true);
    await expect(ok).resolves.toBe(42);
    await expect(failed).rejects.toThrow('nope');
    expect(results.size).toBe(0);
  });

  it('times out, and forgets the invocation', async () => {
    vi.useFakeTimers();
    const results = new ClientResults('n.');
    const id = results.nextInvocationId();
    expect(id).toBe('n.1');
    const pending = results.add(id, 'c1', 500);
    vi.advanceTimersByTime(500);
    await expect(pending).rejects.toThrow("Connection 'c1' did not answer invocation 'n.1' within 500 ms.");
    expect(results.complete('c1', { type: MessageType.Completion, invocationId: id, result: 1 })).toBe(false);
  });

  it('waits without limit for Infinity, until the connection goes', async () => {
    vi.useFakeTimers();
    const results = new ClientResults();
    const pending = results.add('s1', 'c1', Infinity);
    expect(vi.getTimerCount()).toBe(0);
    results.cancelConnection('c1');
    await expect(pending).rejects.toThrow("Connection 'c1' disconnected.");
  });
});
