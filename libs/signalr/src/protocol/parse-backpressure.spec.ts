import { type HubMessage, MessageType } from './hub-message.js';
import type { HubProtocol } from './hub-protocol.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { MessagePackHubProtocol } from './messagepack-hub-protocol.js';

const item = (n: number): HubMessage => ({ type: MessageType.StreamItem, invocationId: 'u', item: n });

describe.each<[string, HubProtocol]>([
  ['json', new JsonHubProtocol()],
  ['messagepack', new MessagePackHubProtocol()],
])('%s parseMessages', (_name, protocol) => {
  it('stops right after a message for which onMessage returns false, and reports what it consumed', () => {
    const frames = [1, 2, 3].map((n) => protocol.writeMessage(item(n)));
    const input = Buffer.concat(frames);
    const seen: unknown[] = [];
    const consumed = protocol.parseMessages(input, Infinity, (message) => {
      seen.push((message as { item: unknown }).item);
      return seen.length < 2; // the upload stream is full after the second item
    });
    expect(seen).toEqual([1, 2]);
    expect(consumed).toBe(frames[0].length + frames[1].length);

    const rest: unknown[] = [];
    expect(protocol.parseMessages(input.subarray(consumed), Infinity, (message) => rest.push(message))).toBe(
      frames[2].length,
    );
    expect(rest).toEqual([item(3)]);
  });
});
