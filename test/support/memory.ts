import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Turns on gc() for this process without a command-line flag.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** JavaScript heap plus Buffer memory after full garbage collections, in bytes. */
export function memoryAfterGc(): number {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
