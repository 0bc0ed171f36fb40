import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * nest-signalr as users get it: the packed tarball, installed into two apps
 * kept beside this file (a Nest 12 ESM app with Vitest as `nest new` makes
 * it, and a Nest 11 CommonJS app with Jest as CLI 11 made it), each installed
 * from its own lockfile, built with its own toolchain and tested by its own
 * e2e test with the official SignalR client. The apps are copied out of the
 * repository first, so that nothing resolves from the repository's node_modules.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const packages = join(root, 'dist/packages');
const CONSUMERS = ['nest12-esm', 'nest11-cjs'];
/** Installs come from npm's cache when they can; a cold cache downloads. */
const STEP = 10 * 60_000;

describe('nest-signalr installed from its tarball', () => {
  let tarball: string;
  let work: string;

  beforeAll(async () => {
    await run('npm', ['run', 'pack:lib'], root);
    const tarballs = readdirSync(packages).filter((file) => file.endsWith('.tgz'));
    expect(tarballs).toHaveLength(1);
    tarball = join(packages, tarballs[0]);
    work = mkdtempSync(join(tmpdir(), 'nest-signalr-consumers-'));
  }, STEP);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  }, STEP);

  it('holds package.json, LICENSE, README, JavaScript, declarations and source maps, nothing else', async () => {
    const files = (await run('tar', ['-tzf', tarball], root)).split('\n').filter(Boolean);
    const allowed =
      /^package\/(package\.json|LICENSE|README\.md|cjs\/package\.json|(cjs|esm)\/.+\.(js|d\.ts|js\.map))$/;
    expect(files.filter((file) => !allowed.test(file))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'package/cjs/index.js',
        'package/cjs/index.d.ts',
        'package/cjs/index.js.map',
        'package/esm/index.js',
        'package/cjs/lifetime/redis/index.js',
        'package/esm/lifetime/redis/index.js',
      ]),
    );
    expect(basename(tarball)).toMatch(/^nest-signalr-0\.\d+\.\d+\.tgz$/);
  });

  describe.each(CONSUMERS)('in %s', (name) => {
    let app: string;

    beforeAll(async () => {
      app = join(work, name);
      cpSync(join(here, name), app, {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
      });
      await run('npm', ['ci', '--prefer-offline'], app);
      await run('npm', ['install', '--no-save', '--prefer-offline', tarball], app);
    }, STEP);

    it('compiles with its own build', () => run('npm', ['run', 'build'], app), STEP);

    it(
      'passes its own e2e test: invoke, group push from a service, refusal by a global guard',
      async () => {
        await expect(run('npm', ['run', 'test:e2e'], app)).resolves.toBeDefined();
      },
      STEP,
    );

    it('has one copy of each export, imported or required (no dual-package hazard)', async () => {
      const script = `
        import { createRequire } from 'node:module';
        const required = createRequire(process.cwd() + '/package.json')('nest-signalr');
        const imported = await import('nest-signalr');
        const names = Object.keys(required).filter((name) => name !== '__esModule');
        console.log(JSON.stringify({
          names: names.sort(),
          importedNames: Object.keys(imported).sort(),
          different: names.filter((name) => imported[name] !== required[name]),
        }));`;
      const result = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', script], app));
      expect(result.names).toEqual(expect.arrayContaining(['SignalRModule', 'SignalRAdapter', 'HubException', 'Hub']));
      expect(result.importedNames).toEqual(result.names);
      expect(result.different).toEqual([]);
    });
  });
});

/** Runs a command; resolves with its output, rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  // The child tools are the app's own: none of this test run's npm or Vitest settings.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|VITEST|NODE_OPTIONS$|NODE_ENV$)/i.test(key)),
  );
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
