import type { IncomingMessage } from 'node:http';
import { PostedInput } from './posted-input.js';

function body(name: string, log: string[]) {
  const request = {
    pause: () => log.push(`${name} paused`),
    resume: () => log.push(`${name} resumed`),
  } as unknown as IncomingMessage;
  return { request, read: () => log.push(`${name} read`) };
}

describe('PostedInput', () => {
  it('reads one body at a time, in arrival order', () => {
    const log: string[] = [];
    const input = new PostedInput();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => body(name, log));
    input.add(a.request, a.read);
    input.add(b.request, b.read);
    input.add(c.request, c.read);
    expect(log).toEqual(['a read']);
    input.done(b.request); // its client went away before its turn
    input.done(a.request);
    expect(log).toEqual(['a read', 'c read']);
    input.done(c.request);
    input.done(c.request);
    expect(log).toEqual(['a read', 'c read']);
  });

  it('pauses the body being read, and starts later ones paused until resumed', () => {
    const log: string[] = [];
    const input = new PostedInput();
    const [a, b] = ['a', 'b'].map((name) => body(name, log));
    input.add(a.request, a.read);
    input.add(b.request, b.read);
    input.pause();
    input.done(a.request);
    input.resume();
    expect(log).toEqual(['a read', 'a paused', 'b read', 'b paused', 'b resumed']);
  });
});
