/**
 * Running a command line: redacted stderr, kubectl's short options, `--token` refused, exit
 * codes instead of process.exit. The CLI (main.ts) registers every command; the rotation pod's
 * program (src/rotator/main.ts) only `rotate`.
 */
import { Command, CommanderError } from 'commander';
import { redactSecrets } from '../runtime/redact.js';
import { endQuietlyOnClosedPipe } from './closed-pipe.js';
import { CliError, ExitCode } from './exit-codes.js';
import type { CliIo, SetExitCode } from './io.js';
import { packageVersion } from './version.js';

/** The process's own streams and environment. */
export const defaultIo: CliIo = {
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

/**
 * kubectl's `--token X` puts a credential where shell history and process lists keep it. It
 * is no option here; say what to use instead, without echoing the value (commander's
 * "unknown option '--token=X'" would).
 */
function refuseTokenOnCommandLine(argv: readonly string[]): void {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  if (options.some((arg) => arg === '--token' || arg.startsWith('--token='))) {
    throw new CliError(
      '--token is not an option: a token on the command line is kept in shell history and process lists; give it with --token-file FILE, --token-file - (standard input) or --token-env VAR (the value given is not shown, as it may be a token)',
    );
  }
}

/** What a program is: its name, what it says it does, and its commands. */
export interface ProgramDefinition {
  /** The name in usage lines. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** The version `--version` prints, read when asked. */
  readonly version: () => string;
  /** Adds the commands. */
  readonly register: (program: Command, io: CliIo, setExitCode: SetExitCode) => void;
}

/** The `access-tokens` CLI's name, description and version (main.ts, mint-main.ts). */
export const ACCESS_TOKENS_PROGRAM: Omit<ProgramDefinition, 'register'> = {
  name: 'access-tokens',
  description: 'Least-privilege Kubernetes access: lint RBAC, check access, mint and manage tokens',
  version: () => packageVersion(),
};

/** Runs a program and resolves to its exit code; never calls process.exit. */
export async function runProgram(
  definition: ProgramDefinition,
  argv: readonly string[],
  given: CliIo = defaultIo,
): Promise<number> {
  if (given === defaultIo) {
    endQuietlyOnClosedPipe(process.stdout, 'standard output', (text) => process.stderr.write(text));
    endQuietlyOnClosedPipe(process.stderr, 'standard error', undefined);
  }
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
  const program = new Command(definition.name)
    .description(definition.description)
    // Read only when asked: offline commands start fast.
    .option('-V, --version', 'print the version of cdk8s-access-tokens and exit')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);
  program.on('option:version', () => {
    io.stdout(`${definition.version()}\n`);
    throw new CommanderError(0, 'access-tokens.version', 'version printed');
  });
  definition.register(program, io, (code) => {
    exitCode = code;
  });
  try {
    refuseTokenOnCommandLine(argv);
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
