import { readFileSync } from 'node:fs';
import { writeClient } from '../libs/signalr/src/cli/client-writer.js';
import { readHubs } from '../libs/signalr/src/cli/hub-reader.js';
import { compile } from './support/type-check.js';

// These compile fixtures with the TypeScript compiler and assert its
// diagnostics; a program over Nest's types takes seconds to check.
const COMPILE_TIMEOUT = 120_000;

describe('typed client proxies at compile time', () => {
  const WRONG_SENDS = 'test/fixtures/typed-sends/wrong-sends.ts';
  const PROJECT = 'test/fixtures/typed-sends/tsconfig.json';

  it(
    'reject each send that does not match the client interface, with its own error',
    () => {
      const committed = compile(PROJECT);
      // As committed, every line marked `@ts-expect-error` has an error (an unused marker would be one too).
      expect(committed.diagnosticsOf(WRONG_SENDS)).toEqual([]);

      const unmarked = readFileSync(WRONG_SENDS, 'utf8').replaceAll('// @ts-expect-error', '// error:');
      const lines = unmarked.split('\n');
      const errors = compile(PROJECT, { [WRONG_SENDS]: unmarked }, committed.program)
        .diagnosticsOf(WRONG_SENDS)
        .map(({ line, code, message }) => ({ code, line: lines[line - 1].trim(), message }));
      expect(errors).toEqual([
        {
          code: 2561,
          line: "clientMethodNames: { receiveMesage: 'Receive' },",
          message:
            "Object literal may only specify known properties, but 'receiveMesage' does not exist in type 'ClientMethodNames<ChatClient>'. Did you mean to write 'receiveMessage'?",
        },
        {
          code: 2345,
          line: "await ctx.clients.all.receiveMessage('ann', 42);",
          message: "Argument of type 'number' is not assignable to parameter of type 'string'.",
        },
        {
          code: 2551,
          line: "await ctx.clients.group('room').receiveMesage('ann', 'typo');",
          message:
            "Property 'receiveMesage' does not exist on type 'TypedClientProxy<ChatClient>'. Did you mean 'receiveMessage'?",
        },
        {
          code: 2554,
          line: "await ctx.clients.caller.receiveMessage('ann');",
          message: 'Expected 2 arguments, but got 1.',
        },
        {
          code: 2322,
          line: "const answer: string = await ctx.clients.caller.invoke.getAnswer('question');",
          message: "Type 'number' is not assignable to type 'string'.",
        },
        {
          code: 2345,
          line: "return hub.clients.user('ann').receiveMessage(1, 'one');",
          message: "Argument of type 'number' is not assignable to parameter of type 'string'.",
        },
      ]);
    },
    COMPILE_TIMEOUT,
  );
});

describe('the generated client at compile time', () => {
  const PROJECT = 'test/fixtures/generate-client/tsconfig.json';
  const HUB = 'test/fixtures/generate-client/profiles.hub.ts';
  const CLIENT = 'test/fixtures/generate-client/profiles.client.ts';
  const CALLER = 'test/fixtures/generate-client/caller.ts';
  // Code written against the client as generated today; it exists only in memory.
  const CALLER_SOURCE = `import { HubConnectionBuilder, Subject } from '@microsoft/signalr';
import { type ProfileDto, profilesHub, profilesHubPath, Role } from './profiles.client.js';

const profiles = profilesHub(new HubConnectionBuilder().withUrl('http://localhost' + profilesHubPath).build());
export const aged: Promise<void> = profiles.invoke.setAge('ann', 42);
export const profile: Promise<ProfileDto> = profiles.invoke.getProfile('ann');
export const found: Promise<ProfileDto[]> = profiles.invoke.find();
export const imported: Promise<{ count: number; label: string }> = profiles.invoke.importAges(
  new Subject<number>(),
  'ages',
  new Subject<string>(),
);
profiles.stream.watch(['ann']).subscribe({ next: (item: ProfileDto) => void item.name, error() {}, complete() {} });
profiles.stream.roles().subscribe({ next: (role: Role) => void (role === Role.Admin), error() {}, complete() {} });
export const stop: () => void = profiles.on.confirm(async (question, timeoutMs) => question.length > (timeoutMs ?? 0));
profiles.on.logged((...lines) => void lines.join('\\n'));
`;

  it(
    'no longer compiles a call written for a hub method whose parameter type changed',
    () => {
      const original = compile(PROJECT, { [CALLER]: CALLER_SOURCE });
      expect(writeClient(readHubs(original.program))).toBe(readFileSync(CLIENT, 'utf8'));
      expect(original.diagnosticsOf(CALLER)).toEqual([]);

      const hubSource = readFileSync(HUB, 'utf8');
      const changedHub = hubSource.replace('setAge(name: string, age: number,', 'setAge(name: string, age: string,');
      expect(changedHub).not.toBe(hubSource);
      const changed = compile(PROJECT, { [HUB]: changedHub }, original.program);
      const regenerated = writeClient(readHubs(changed.program));
      expect(regenerated).toContain('setAge(name: string, age: string): Promise<void>;');

      const callerLines = CALLER_SOURCE.split('\n');
      const errors = compile(
        PROJECT,
        { [HUB]: changedHub, [CLIENT]: regenerated, [CALLER]: CALLER_SOURCE },
        changed.program,
      )
        .diagnosticsOf(CALLER)
        .map(({ line, code, message }) => ({ code, line: callerLines[line - 1], message }));
      expect(errors).toEqual([
        {
          code: 2345,
          line: "export const aged: Promise<void> = profiles.invoke.setAge('ann', 42);",
          message: "Argument of type 'number' is not assignable to parameter of type 'string'.",
        },
      ]);
    },
    COMPILE_TIMEOUT,
  );
});
