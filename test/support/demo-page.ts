import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import ts from 'typescript';
import { createProgram, formatDiagnostics } from '../../libs/signalr/src/cli/generate-client.js';

/**
 * Compiles the chat page's scripts as `npm run build:page` does, so that the
 * demo serves the current ones. Each file is written whole (renamed into
 * place): suites running at once may build at the same time.
 */
export function buildDemoPage(): void {
  const program = createProgram('apps/demo/src/page/browser/tsconfig.json', {});
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) throw new Error(formatDiagnostics(diagnostics));
  program.emit(undefined, (file, text) => {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  });
}
