import { resolve } from 'node:path';
import ts from 'typescript';

export interface Compilation {
  program: ts.Program;
  /** Diagnostics of one file, as `{ line, code, message }` (1-based lines). */
  diagnosticsOf(file: string): { line: number; code: number; message: string }[];
}

/**
 * Compiles a tsconfig's project as tsc would, with some files' text replaced
 * or added in memory (`overlay`, by path): fixtures can be changed and
 * generated files checked without touching the tree.
 */
export function compile(project: string, overlay: Record<string, string> = {}, oldProgram?: ts.Program): Compilation {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(project),
    { noEmit: true },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`Cannot read ${project}.`);
  const files = new Map(Object.entries(overlay).map(([path, text]) => [resolve(path), text]));
  const disk = ts.createCompilerHost(config.options);
  const host: ts.CompilerHost = {
    ...disk,
    fileExists: (file) => files.has(resolve(file)) || disk.fileExists(file),
    readFile: (file) => files.get(resolve(file)) ?? disk.readFile(file),
    getSourceFile: (file, language, onError, create) => {
      const text = files.get(resolve(file));
      return text === undefined
        ? disk.getSourceFile(file, language, onError, create)
        : ts.createSourceFile(file, text, language);
    },
  };
  const rootNames = [...new Set([...config.fileNames.map((file) => resolve(file)), ...files.keys()])];
  const program = ts.createProgram({ rootNames, options: config.options, host, oldProgram });
  return {
    program,
    diagnosticsOf(file) {
      const sourceFile = program.getSourceFile(resolve(file));
      if (!sourceFile) throw new Error(`${file} is not part of the program.`);
      return ts.getPreEmitDiagnostics(program, sourceFile).map((diagnostic) => ({
        line: sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1,
        code: diagnostic.code,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      }));
    },
  };
}
