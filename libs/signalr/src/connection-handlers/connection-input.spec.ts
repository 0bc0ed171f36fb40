import { ConnectionInput } from './connection-input.js';

function input() {
  const flow = { paused: 0, resumed: 0, pause: () => void flow.paused++, resume: () => void flow.resumed++ };
  return { flow, messages: new ConnectionInput(flow) };
}

describe('ConnectionInput', () => {
  it('yields what arrived in order, then ends once the client is gone', async () => {
    const { messages } = input();
    messages.push('a');
    messages.push(Buffer.from([1]));
    messages.end();
    messages.push('after the end');
    const read: (string | Buffer)[] = [];
    for await (const message of messages) read.push(message);
    expect(read).toEqual(['a', Buffer.from([1])]);
  });

  it('hands a message to a waiting reader, and ends a waiting reader', async () => {
    const { messages } = input();
    const iterator = messages[Symbol.asyncIterator]();
    const first = iterator.next();
    messages.push('now');
    expect(await first).toEqual({ value: 'now', done: false });
    const second = iterator.next();
    messages.end();
    expect(await second).toEqual({ value: undefined, done: true });
  });

  it('pauses the transport beyond 64 KiB waiting and resumes at half', async () => {
    const { flow, messages } = input();
    for (let i = 0; i < 5; i++) messages.push(Buffer.alloc(16_384));
    expect(flow).toMatchObject({ paused: 1, resumed: 0 });
    const iterator = messages[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    expect(flow.resumed).toBe(0);
    await iterator.next();
    expect(flow).toMatchObject({ paused: 1, resumed: 1 });
  });
});
