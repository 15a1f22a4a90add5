import ts from 'typescript';

/**
 * A strict, emit-free TypeScript program over `files`, compiled as a user of the package would
 * (NodeNext modules, ES2022, Node's types): for tests that type-check or inspect the public API.
 */
export function strictProgram(files: readonly string[]): ts.Program {
  return ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
}
