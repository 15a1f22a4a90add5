/**
 * The `access-tokens` command line: parse, call one runtime or rbac function, print.
 * Commands that talk to a cluster load @kubernetes/client-node lazily (dynamic import) so
 * that the offline ones start fast.
 */
import { Command, CommanderError } from 'commander';
import { redactSecrets } from '../runtime/redact.js';
import { registerCommands } from './commands/index.js';
import { CliError, ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  // A getter: process.stdin opens the stream (~5 ms), which only `--token-file -` needs.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  get stderrIsTerminal() {
    return process.stderr.isTTY === true;
  },
};

/**
 * kubectl takes `-o=json` and `-n=shop`; commander would read the value as `=json`. Split the
 * short options that take a value, up to a `--`.
 */
function kubectlShortOptions(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  const rest = end === -1 ? [] : argv.slice(end);
  return [
    ...options.flatMap((arg) => {
      const m = /^(-[on])=(.*)$/s.exec(arg);
      return m ? [m[1], m[2]] : [arg];
    }),
    ...rest,
  ];
}

/** Runs the CLI and resolves to its exit code; never calls process.exit. */
export async function main(argv: readonly string[], given: CliIo = defaultIo): Promise<number> {
  // Every stderr line is redacted: an error may quote a flag value, a file or a server answer.
  // (runtime/redact.ts imports nothing, so this keeps client-node out of offline commands.)
  const io: CliIo = {
    stdout: given.stdout,
    stderr: (text) => given.stderr(redactSecrets(text)),
    get stdin() {
      return given.stdin;
    },
    env: given.env,
    get stderrIsTerminal() {
      return given.stderrIsTerminal;
    },
  };
  let exitCode: number = ExitCode.OK;
  const program = new Command('access-tokens')
    .description(
      'Least-privilege Kubernetes access: lint RBAC, check access, mint and manage tokens',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);
  registerCommands(program, io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(kubectlShortOptions(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (err instanceof CliError) {
      io.stderr(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.INTERNAL;
  }
  return exitCode;
}
