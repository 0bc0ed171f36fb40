import { isUtf8 } from 'node:buffer';
import { HubProtocolError } from './hub-protocol-error.js';

/** How deep JSON may nest: System.Text.Json's default, which ASP.NET Core's JSON protocol keeps. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The text of one JSON message, refused as ASP.NET Core refuses it
 * (`Error reading JSON.`) when it is not valid UTF-8 (Node would silently
 * put U+FFFD in its place) or nests deeper than {@link MAX_JSON_DEPTH}:
 * JSON.parse copes with any depth, but JSON.stringify, validators and hub
 * code recurse, and a deep enough argument would overflow their stack.
 */
export function readJsonText(input: Buffer, start: number, end: number): string {
  const bytes = input.subarray(start, end);
  if (!isUtf8(bytes) || nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
    throw new HubProtocolError('Error reading JSON.');
  }
  return input.toString('utf8', start, end);
}

function nestsDeeperThan(bytes: Buffer, maxDepth: number): boolean {
  // Fast path: with no more openers than the limit, no scan is needed.
  const braces = countUpTo(bytes, OPEN_BRACE, maxDepth + 1);
  if (braces + countUpTo(bytes, OPEN_BRACKET, maxDepth + 1 - braces) <= maxDepth) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Occurrences of `byte`, counting no further than `limit` (native searches, no byte loop). */
function countUpTo(bytes: Buffer, byte: number, limit: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at !== -1 && count < limit; at = bytes.indexOf(byte, at + 1)) count++;
  return count;
}
