import { MessageType } from './hub-message.js';
import { JsonHubProtocol } from './json-hub-protocol.js';
import { SerializedHubMessage } from './serialized-hub-message.js';

describe('SerializedHubMessage', () => {
  const json = new JsonHubProtocol();

  it('serializes once per protocol', () => {
    const message = new SerializedHubMessage({ type: MessageType.Invocation, target: 'm', arguments: [1] });
    const bytes = message.getBytes(json);
    expect(message.getBytes(json)).toBe(bytes);
    expect(bytes.toString()).toBe('{"type":1,"target":"m","arguments":[1]}\x1e');
  });

  it('writes the bytes another server framed, and refuses a protocol it has no bytes for', () => {
    const received = new SerializedHubMessage(undefined);
    const bytes = Buffer.from('{"type":1,"target":"m","arguments":[]}\x1e');
    received.addBytes(json, bytes);
    expect(received.getBytes(json)).toBe(bytes);
    expect(() => received.getBytes(new JsonHubProtocol())).toThrow(
      'This message was received from another server that did not have the requested protocol available.',
    );
  });
});
