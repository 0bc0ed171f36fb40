import { HubException } from '../hub/hub-exception.js';
import { MessageType } from '../protocol/hub-message.js';
import { ClientResults } from './client-results.js';

describe('ClientResults', () => {
  it('numbers invocations after its prefix', () => {
    const results = new ClientResults('node1.');
    expect([results.nextInvocationId(), results.nextInvocationId()]).toEqual(['node1.1', 'node1.2']);
    expect(new ClientResults().nextInvocationId()).toBe('s1');
  });

  it("fails an invocation with the server's own error, not as the client's", async () => {
    const results = new ClientResults();
    const pending = results.add('s1', 'c1');
    expect(results.fail('c2', 's1', new Error('wrong connection'))).toBe(false);
    expect(results.fail('c1', 's1', new Error("Connection 'c1' disconnected."))).toBe(true);
    const error = await pending.catch((reason: unknown) => reason);
    expect(error).not.toBeInstanceOf(HubException);
    expect((error as Error).message).toBe("Connection 'c1' disconnected.");
    expect(results.complete('c1', { type: MessageType.Completion, invocationId: 's1', result: 1 })).toBe(false);
    expect(results.size).toBe(0);
  });
});
