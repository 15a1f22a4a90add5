/**
 * `access-tokens mint` alone, for start-up speed. A mint is what scripts, CI jobs and loops run
 * over and over, and what waits for the CLI to start; bin/access-tokens.cjs runs this program
 * (bundled as lib/cli/mint.cjs, about half the size of the whole CLI's bundle) when the first
 * argument is `mint`. It is the same program as main.ts's with only that command registered:
 * the same parsing, help, errors and exit codes (test/cli-bundle.test.ts compares the two).
 */
import { registerMint } from './commands/mint.js';
import type { CliIo } from './io.js';
import { ACCESS_TOKENS_PROGRAM, defaultIo, runProgram } from './program.js';

/** Runs `access-tokens mint ...` (argv starts with `mint`) and resolves to its exit code. */
export function main(argv: readonly string[], given: CliIo = defaultIo): Promise<number> {
  return runProgram({ ...ACCESS_TOKENS_PROGRAM, register: registerMint }, argv, given);
}
