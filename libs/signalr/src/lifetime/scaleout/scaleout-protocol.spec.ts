import { BackplaneMessageType, decodeMessage, encodeMessage, isFromSender, senderPrefix } from './scaleout-protocol.js';

describe('backplane messages', () => {
  it('round-trip, with the framed bytes of each protocol untouched', () => {
    const json = Buffer.from('{"type":1,"target":"m","arguments":[]}\x1e');
    const payload = encodeMessage(['node0001', BackplaneMessageType.Invocation, ['c1'], ['json', json]]);
    const message = decodeMessage(payload);
    if (message[1] !== BackplaneMessageType.Invocation) throw new Error('expected an Invocation');
    const [sender, , excluded, serialized] = message;
    expect([sender, excluded]).toEqual(['node0001', ['c1']]);
    expect(serialized[0]).toBe('json');
    expect(Buffer.compare(serialized[1] as Buffer, json)).toBe(0);
  });

  it("are recognized as a node's own without decoding", () => {
    const own = senderPrefix('node0001');
    const mine = encodeMessage(['node0001', BackplaneMessageType.Ack, 7]);
    const theirs = encodeMessage(['node0002', BackplaneMessageType.Ack, 7]);
    expect(isFromSender(mine, own)).toBe(true);
    expect(isFromSender(theirs, own)).toBe(false);
    expect(isFromSender(Buffer.from([0x92]), own)).toBe(false);
  });

  it('reject what is not a backplane message', () => {
    expect(() => decodeMessage(encodeMessage('text' as never))).toThrow('Not a backplane message.');
    expect(() => decodeMessage(Buffer.from([0xc1]))).toThrow();
  });
});
