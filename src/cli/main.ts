/**
 * The `access-tokens` command line: parse, call one runtime or rbac function, print.
 * Commands that talk to a cluster load @kubernetes/client-node lazily (dynamic import) so
 * that the offline ones start fast.
 */
import { registerCommands } from './commands/index.js';
import type { CliIo } from './io.js';
import { defaultIo, runProgram } from './program.js';
import { packageVersion } from './version.js';

/** Runs the CLI and resolves to its exit code; never calls process.exit. */
export function main(argv: readonly string[], given: CliIo = defaultIo): Promise<number> {
  return runProgram(
    {
      name: 'access-tokens',
      description:
        'Least-privilege Kubernetes access: lint RBAC, check access, mint and manage tokens',
      version: () => packageVersion(),
      register: registerCommands,
    },
    argv,
    given,
  );
}
