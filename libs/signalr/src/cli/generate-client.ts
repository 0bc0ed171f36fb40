import { resolve } from 'node:path';
import ts from 'typescript';
import { writeClient } from './client-writer.js';
import { readHubs } from './hub-reader.js';

/** Reads the hubs of a TypeScript project (its tsconfig) and returns the typed client's source. */
export function generateClient(project: string): string {
  return writeClient(readHubs(createProgram(project)));
}

/** The program of a tsconfig, as `tsc -p` would build it (without emitting, unless `options` say so). */
export function createProgram(project: string, options: ts.CompilerOptions = { noEmit: true }): ts.Program {
  const configPath = resolve(project);
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(formatDiagnostics([diagnostic]));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(configPath, options, host);
  if (!config) throw new Error(`Cannot read ${configPath}.`);
  if (config.errors.length > 0) throw new Error(formatDiagnostics(config.errors));
  return ts.createProgram({
    rootNames: config.fileNames,
    options: config.options,
    projectReferences: config.projectReferences,
  });
}

export function formatDiagnostics(diagnostics: readonly ts.Diagnostic[], base = process.cwd()): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => base,
    getNewLine: () => '\n',
  });
}
