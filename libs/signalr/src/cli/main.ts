#!/usr/bin/env node
// The `nest-signalr` command. It loads the TypeScript compiler (a peer
// dependency of the command only): the library itself never imports this folder.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateClient } from './generate-client.js';

const USAGE = `Usage: nest-signalr generate-client --project <tsconfig.json> --out <file.ts> [--check]

Reads the project's hubs through the TypeScript compiler and writes a typed
client over @microsoft/signalr's HubConnection for each of them.
  --project  the tsconfig of the app that declares the hubs
  --out      the file to write
  --check    write nothing; fail when the file is missing or differs`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string', short: 'p' },
      out: { type: 'string', short: 'o' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] !== 'generate-client' || positionals.length > 1 || !values.project || !values.out) {
    console.error(USAGE);
    return 2;
  }
  const source = generateClient(values.project);
  const out = resolve(values.out);
  const current = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  if (values.check) {
    if (current === source) return 0;
    console.error(
      `${values.out} is ${current === undefined ? 'missing' : 'out of date'}: run generate-client without --check.`,
    );
    return 1;
  }
  if (current !== source) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, source);
  }
  console.log(`${values.out}: ${current === source ? 'up to date' : 'written'}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`nest-signalr: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
