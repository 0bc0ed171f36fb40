import { type HubMessage, MessageType } from './hub-message.js';
import { HubProtocolError } from './hub-protocol-error.js';
import { JsonHubProtocol } from './json-hub-protocol.js';

const RS = '\x1e';
const protocol = new JsonHubProtocol();

function parse(text: string, maxSize = 1024): { messages: HubMessage[]; consumed: number } {
  const messages: HubMessage[] = [];
  const consumed = protocol.parseMessages(Buffer.from(text), maxSize, (m) => messages.push(m));
  return { messages, consumed };
}

describe('JsonHubProtocol', () => {
  it('parses several records and leaves an incomplete one', () => {
    const text = `{"type":6}${RS}{"type":1,"target":"A","arguments":[1]}${RS}{"type":1,`;
    const { messages, consumed } = parse(text);
    expect(messages).toEqual([{ type: 6 }, { type: 1, target: 'A', arguments: [1] }]);
    expect(consumed).toBe(text.lastIndexOf(RS) + 1);
  });

  it('treats an empty invocation id as a non-blocking invocation', () => {
    expect(parse(`{"type":1,"invocationId":"","target":"A","arguments":[]}${RS}`).messages[0]).not.toHaveProperty(
      'invocationId',
    );
  });

  it('keeps a completion result of null apart from no result', () => {
    const { messages } = parse(`{"type":3,"invocationId":"1","result":null}${RS}{"type":3,"invocationId":"2"}${RS}`);
    expect(messages[0]).toHaveProperty('result', null);
    expect(messages[1]).not.toHaveProperty('result');
  });

  it('ignores unknown properties and message types', () => {
    const { messages } = parse(`{"type":42}${RS}{"type":6,"extra":1}${RS}`);
    expect(messages).toEqual([{ type: 6 }]);
  });

  it.each([
    ['{"type":1,', 'Error reading JSON.'],
    ['"text"', "Unexpected JSON Token Type 'String'. Expected a JSON Object."],
    ['{}', "Missing required property 'type'."],
    ['{"type":1,"arguments":[]}', "Missing required property 'target'."],
    ['{"type":1,"target":"A"}', "Missing required property 'arguments'."],
    ['{"type":1,"target":"A","arguments":1}', "Expected 'arguments' to be of type Array."],
    ['{"type":2,"invocationId":"1"}', "Missing required property 'item'."],
    [
      '{"type":3,"invocationId":"1","error":"e","result":1}',
      "The 'error' and 'result' properties are mutually exclusive.",
    ],
    ['{"type":1,"target":"A","arguments":[],"headers":{"a":1}}', "Expected header 'a' to be of type String."],
  ])('rejects %s', (json, error) => {
    expect(() => parse(json + RS)).toThrow(new HubProtocolError(error));
  });

  it('enforces the maximum message size, also on an unterminated message', () => {
    const message = `{"type":1,"target":"A","arguments":["${'x'.repeat(100)}"]}`;
    expect(() => parse(message + RS, 50)).toThrow(/maximum message size of 50B/);
    expect(() => parse(message, 50)).toThrow(/maximum message size of 50B/);
  });

  it('writes completions as ASP.NET Core does: error, result (even null), or neither', () => {
    const write = (message: HubMessage) => protocol.writeMessage(message).toString();
    expect(write({ type: MessageType.Completion, invocationId: '1', error: 'bad' })).toBe(
      `{"type":3,"invocationId":"1","error":"bad"}${RS}`,
    );
    expect(write({ type: MessageType.Completion, invocationId: '1', result: null })).toBe(
      `{"type":3,"invocationId":"1","result":null}${RS}`,
    );
    expect(write({ type: MessageType.Completion, invocationId: '1' })).toBe(`{"type":3,"invocationId":"1"}${RS}`);
    expect(write({ type: MessageType.Close, error: 'x', allowReconnect: false })).toBe(`{"type":7,"error":"x"}${RS}`);
  });
});
