import { type HubMessage, MessageType } from '../protocol/hub-message.js';
import { MessageBuffer } from './message-buffer.js';

const bytes = (text: string) => Buffer.from(text);
const invocation: HubMessage = { type: MessageType.Invocation, target: 'm', arguments: [] };
const ping: HubMessage = { type: MessageType.Ping };

function unacknowledged(buffer: MessageBuffer): string[] {
  const messages: string[] = [];
  buffer.forEachUnacknowledged((message) => messages.push(message.toString()));
  return messages;
}

describe('MessageBuffer', () => {
  describe('output', () => {
    it('keeps sent messages until acknowledged, and replays the rest after a Sequence of the first', () => {
      const buffer = new MessageBuffer(1_000);
      for (const text of ['a', 'bb', 'ccc', 'dddd']) expect(buffer.add(bytes(text))).toBe(true);
      expect(buffer.bufferedBytes).toBe(10);
      buffer.ack(2);
      expect(buffer.bufferedBytes).toBe(7);
      expect(buffer.reconnected()).toBe(3);
      expect(unacknowledged(buffer)).toEqual(['ccc', 'dddd']);
    });

    it('with nothing unacknowledged, the Sequence gives the next id', () => {
      const buffer = new MessageBuffer(1_000);
      expect(buffer.reconnected()).toBe(1);
      buffer.add(bytes('a'));
      buffer.add(bytes('b'));
      buffer.ack(2);
      expect(buffer.reconnected()).toBe(3);
      expect(unacknowledged(buffer)).toEqual([]);
    });

    it('ignores acknowledgements of nothing new, and of more than was sent', () => {
      const buffer = new MessageBuffer(1_000);
      buffer.add(bytes('a'));
      buffer.add(bytes('b'));
      buffer.ack(1);
      buffer.ack(1);
      buffer.ack(0);
      buffer.ack(-5);
      expect(unacknowledged(buffer)).toEqual(['b']);
      buffer.ack(99);
      expect(buffer.bufferedBytes).toBe(0);
      buffer.add(bytes('c'));
      // Ids go on from what was sent, not from what the client claimed.
      expect(buffer.reconnected()).toBe(3);
    });

    it('overflows past its limit; a lone message of any size is accepted', () => {
      const buffer = new MessageBuffer(10);
      expect(buffer.add(bytes('x'.repeat(50)))).toBe(true);
      expect(buffer.add(bytes('y'))).toBe(false);
      const other = new MessageBuffer(10);
      expect(other.add(bytes('x'.repeat(6)))).toBe(true);
      expect(other.add(bytes('x'.repeat(4)))).toBe(true);
      expect(other.add(bytes('x'))).toBe(false);
    });

    it('keeps its storage compact however many messages pass through', () => {
      const buffer = new MessageBuffer(1_000_000);
      for (let id = 1; id <= 10_000; id++) {
        buffer.add(bytes(String(id)));
        if (id % 7 === 0) buffer.ack(id - 3);
      }
      expect((buffer as unknown as { messages: unknown[] }).messages.length).toBeLessThan(2_100);
      buffer.ack(9_997);
      expect(buffer.bufferedCount).toBe(3);
      expect(buffer.reconnected()).toBe(9_998);
      expect(unacknowledged(buffer)).toEqual(['9998', '9999', '10000']);
    });

    it('makes waiters wait while over half full, until acknowledgements or disposal', async () => {
      const buffer = new MessageBuffer(10);
      buffer.add(bytes('12345'));
      expect(buffer.whenRoom()).toBeUndefined();
      buffer.add(bytes('6'));
      let woken = 0;
      void buffer.whenRoom()!.then(() => woken++);
      void buffer.whenRoom()!.then(() => woken++);
      await Promise.resolve();
      expect(woken).toBe(0);
      buffer.ack(1);
      await Promise.resolve();
      expect(woken).toBe(2);

      buffer.add(bytes('7890ab'));
      void buffer.whenRoom()!.then(() => woken++);
      buffer.dispose();
      await Promise.resolve();
      expect(woken).toBe(3);
      expect(buffer.bufferedBytes).toBe(0);
    });
  });

  describe('input', () => {
    it('counts trackable messages and acknowledges the latest once', () => {
      const buffer = new MessageBuffer(1_000);
      expect(buffer.takeAck()).toBeUndefined();
      expect(buffer.shouldProcess(invocation)).toBe(true);
      expect(buffer.shouldProcess(ping)).toBe(true);
      expect(buffer.shouldProcess(invocation)).toBe(true);
      expect(buffer.takeAck()).toBe(2);
      expect(buffer.takeAck()).toBeUndefined();
    });

    it('after a reconnect, drops everything before the Sequence, then the repeats', () => {
      const buffer = new MessageBuffer(1_000);
      for (let i = 0; i < 3; i++) buffer.shouldProcess(invocation);
      expect(buffer.takeAck()).toBe(3);
      buffer.reconnected();
      expect(buffer.shouldProcess(invocation)).toBe(false);
      expect(buffer.shouldProcess(ping)).toBe(false);
      const sequence: HubMessage = { type: MessageType.Sequence, sequenceId: 2 };
      expect(buffer.shouldProcess(sequence)).toBe(true);
      buffer.resetSequence(2);
      // 2 and 3 again: repeats. 4 is new.
      expect(buffer.shouldProcess(invocation)).toBe(false);
      expect(buffer.shouldProcess(invocation)).toBe(false);
      expect(buffer.shouldProcess(invocation)).toBe(true);
      // The Ack is sent again on the new transport, the last one may have been lost.
      expect(buffer.takeAck()).toBe(4);
    });

    it('refuses a Sequence beyond the next id', () => {
      const buffer = new MessageBuffer(1_000);
      buffer.shouldProcess(invocation);
      expect(() => buffer.resetSequence(2)).not.toThrow();
      expect(() => buffer.resetSequence(3)).toThrow("Sequence ID greater than amount of messages we've received.");
    });
  });
});
