// The API report of `nest-signalr`: one API Extractor report per entry of the
// package's `exports`, committed under libs/signalr/api/. Without arguments it
// checks that the declarations still match the reports (run by `npm test`);
// with `--update` (`npm run api:update`) it rewrites them, for a change of the
// public API made on purpose.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const update = process.argv.includes('--update');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'libs/signalr');
// Inside the repository, so that the declarations resolve their imports from its node_modules.
const work = join(root, 'dist/api-report');
const manifest = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8'));

rmSync(work, { recursive: true, force: true });
mkdirSync(join(lib, 'api'), { recursive: true });
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules/typescript/bin/tsc'),
    ...['-p', join(lib, 'tsconfig.lib.json'), '--emitDeclarationOnly', '--outDir', join(work, 'cjs')],
  ],
  { stdio: 'inherit' },
);

const changed = [];
for (const [entry, target] of Object.entries(manifest.exports)) {
  if (typeof target === 'string') continue;
  const reportFileName = entry === '.' ? manifest.name : `${manifest.name}-${entry.slice(2).replaceAll('/', '-')}`;
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(lib, 'api-extractor.json'), // nominal: the configuration is this object
    packageJsonFullPath: join(lib, 'package.json'),
    configObject: {
      projectFolder: work,
      mainEntryPointFilePath: join(work, target.types),
      compiler: {
        overrideTsconfig: {
          compilerOptions: { module: 'commonjs', moduleResolution: 'bundler', types: ['node'], skipLibCheck: true },
          files: [join(work, target.types)],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName,
        reportFolder: join(lib, 'api'),
        reportTempFolder: join(work, 'temp'),
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // Findings such as an exported API that names an internal type go into the report, for review.
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
          // Listed with absolute paths, which differ between clones.
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  });
  const result = Extractor.invoke(config, { localBuild: update, messageCallback: quietUnlessError });
  if (result.errorCount > 0) process.exit(1);
  if (result.apiReportChanged) changed.push(`libs/signalr/api/${reportFileName}.api.md`);
}

if (update) {
  console.log(changed.length > 0 ? `Updated ${changed.join(', ')}` : 'The API reports are up to date.');
} else if (changed.length > 0) {
  console.error(
    `The public API differs from ${changed.join(', ')}. If the change is meant, run \`npm run api:update\` ` +
      'and commit the reports; otherwise keep the names out of libs/signalr/src/index.ts (or the entry it changed).',
  );
  process.exit(1);
} else {
  console.log('The public API matches the API reports.');
}

function quietUnlessError(message) {
  if (message.logLevel !== 'error') message.logLevel = 'none';
}
