/**
 * The `access-tokens` command line: parse, call one runtime or rbac function, print.
 * Commands that talk to a cluster load @kubernetes/client-node lazily (dynamic import) so
 * that the offline ones start fast.
 */
import { registerCommands } from './commands/index.js';
import type { CliIo } from './io.js';
import { ACCESS_TOKENS_PROGRAM, defaultIo, runProgram } from './program.js';

/** Runs the CLI and resolves to its exit code; never calls process.exit. */
export function main(argv: readonly string[], given: CliIo = defaultIo): Promise<number> {
  return runProgram({ ...ACCESS_TOKENS_PROGRAM, register: registerCommands }, argv, given);
}
