import { HubProtocolError } from './hub-protocol-error.js';
import { MAX_JSON_DEPTH, readJsonText } from './json-text.js';

const read = (text: string | Buffer) => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return readJsonText(bytes, 0, bytes.length);
};
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('readJsonText', () => {
  it('allows nesting to System.Text.Json’s depth of 64, and no deeper', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(read(nested(64))).toBe(nested(64));
    expect(() => read(nested(65))).toThrow(new HubProtocolError('Error reading JSON.'));
    expect(() => read(`{"a":${'{"a":'.repeat(64)}1${'}'.repeat(64)}}`)).toThrow(HubProtocolError);
  });

  it('counts brackets outside strings only, escaped quotes included', () => {
    const inString = JSON.stringify({ text: '['.repeat(500) + '\\"{{{' });
    expect(read(inString)).toBe(inString);
    const deepAfterEscapes = `["\\"", ${nested(64)}]`;
    expect(() => read(deepAfterEscapes)).toThrow(HubProtocolError);
  });

  it('passes many shallow brackets (a long array of objects) without complaint', () => {
    const wide = JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ i, tags: [i] })));
    expect(read(wide)).toBe(wide);
  });

  it('refuses invalid UTF-8 instead of replacing it with U+FFFD', () => {
    expect(read(Buffer.from('["é€😀"]'))).toBe('["é€😀"]');
    for (const bad of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const bytes = Buffer.concat([Buffer.from('["'), Buffer.from(bad), Buffer.from('"]')]);
      expect(() => read(bytes)).toThrow(new HubProtocolError('Error reading JSON.'));
    }
  });

  it('reads only its range of the input', () => {
    const input = Buffer.from('xx{"a":1}yy');
    expect(readJsonText(input, 2, 9)).toBe('{"a":1}');
  });
});
