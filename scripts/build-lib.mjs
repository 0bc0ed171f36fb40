// Builds the publishable `nest-signalr` package into dist/packages/nest-signalr:
// one CommonJS build (cjs/, with declarations and source maps) and, for each
// entry of the manifest's `exports`, an ES module (esm/) that re-exports it.
// One build means every class exists once in an app whether it is imported or
// required (no dual-package hazard), and CommonJS is what Jest can load.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'libs/signalr');
const out = join(root, 'dist/packages/nest-signalr');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(lib, 'tsconfig.lib.json')], {
  stdio: 'inherit',
});
// The package is `"type": "module"` (its ESM entries are .js); the build below it is CommonJS.
writeFileSync(join(out, 'cjs/package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');

const manifest = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8'));
const typesVersions = {};
for (const [entry, target] of Object.entries(manifest.exports)) {
  if (typeof target === 'string') continue;
  const wrapper = join(out, target.import);
  const specifier = relative(dirname(wrapper), join(out, target.require)).replaceAll('\\', '/');
  mkdirSync(dirname(wrapper), { recursive: true });
  // The names Node finds in the CommonJS module (cjs-module-lexer), less its interop marker.
  const names = Object.keys(await import(join(out, target.require))).filter(
    (name) => name !== 'default' && name !== '__esModule',
  );
  writeFileSync(wrapper, `export { ${names.join(', ')} } from '${specifier}';\n`);
  // For TypeScript's older `node10` resolution, which ignores `exports`.
  if (entry !== '.') typesVersions[entry.slice(2)] = [target.types.slice(2)];
}
const { devDependencies: _dev, scripts: _scripts, ...published } = manifest;
writeFileSync(
  join(out, 'package.json'),
  JSON.stringify({ ...published, typesVersions: { '*': typesVersions } }, null, 2) + '\n',
);
copyFileSync(join(lib, 'LICENSE'), join(out, 'LICENSE'));
copyFileSync(join(root, 'README.md'), join(out, 'README.md'));
for (const target of Object.values(manifest.exports)) {
  for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
    statSync(join(out, file)); // every entry resolves to a built file
  }
}

const stray = listFiles(out).filter((file) => !/(\.js|\.d\.ts|\.js\.map|package\.json|LICENSE|README\.md)$/.test(file));
if (stray.length > 0) throw new Error(`Unexpected files in the package: ${stray.join(', ')}`);
console.log(`nest-signalr ${manifest.version} built in ${relative(root, out)}`);

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [relative(out, join(dir, entry.name))],
  );
}
