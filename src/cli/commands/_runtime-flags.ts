/**
 * What the commands that talk to a cluster share: kubectl's connection flags, reading a token
 * (file, stdin or environment; never argv), durations, output formats, and turning runtime
 * errors into exit codes. Private to the CLI.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { CliIo } from '../main.js';
import { redactSecrets } from '../../runtime/errors.js';
import { CliError, ExitCode } from '../exit-codes.js';

/** kubectl's connection flags, as parsed. */
export interface ClusterFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly requestTimeout?: string;
  readonly maxAttempts?: string;
  readonly maxRetryTime?: string;
}

/** Adds `--kubeconfig`, `--context`, `-n/--namespace` and the retry knobs. */
export function addClusterFlags(cmd: Command): Command {
  return cmd
    .option(
      '--kubeconfig <file>',
      'path to the kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--context <name>', 'the kubeconfig context to use')
    .option('-n, --namespace <ns>', 'the namespace (default: the context\'s, else "default")')
    .option('--request-timeout <duration>', 'timeout of each attempt (default: 15s)')
    .option(
      '--max-attempts <n>',
      'attempts per request on transient failures: 5xx, 429, resets, timeouts (default: 5)',
    )
    .option(
      '--max-retry-time <duration>',
      'stop retrying once this long has passed since the first attempt, e.g. 2m (default: 30s)',
    );
}

/**
 * Collects a repeatable option (`--audience a --audience b`), as kubectl's: a variadic one would
 * also swallow the positional arguments after it.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds `--token-file FILE|-` and `--token-env VAR`. */
export function addTokenFlags(cmd: Command): Command {
  return cmd
    .option('--token-file <file>', "read the token from FILE ('-' for standard input)")
    .option('--token-env <var>', 'read the token from the environment variable VAR');
}

/** Adds `-o/--output` with the given choices. */
export function addOutputFlag(cmd: Command, choices: readonly string[]): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices([...choices]));
}

/** The runtime's ClusterOptions from the flags. */
export function clusterOptions(flags: ClusterFlags, io: CliIo): Record<string, unknown> {
  const retry: Record<string, number> = {};
  if (flags.requestTimeout !== undefined)
    retry.attemptTimeoutMs =
      parseDurationSeconds(flags.requestTimeout, '--request-timeout', 1) * 1000;
  if (flags.maxAttempts !== undefined) {
    const n = Number(flags.maxAttempts);
    if (!Number.isInteger(n) || n < 1 || n > 20) {
      throw new CliError(
        `--max-attempts must be an integer from 1 to 20, got '${flags.maxAttempts}'`,
      );
    }
    retry.maxAttempts = n;
  }
  if (flags.maxRetryTime !== undefined)
    retry.maxTotalMs = parseDurationSeconds(flags.maxRetryTime, '--max-retry-time') * 1000;
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    env: io.env ?? process.env,
    retry,
    logger: { warn: (m: string) => io.stderr(`${m}\n`) },
  };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

const charClass = (c: string): string =>
  c >= 'A' && c <= 'Z' ? 'A' : c >= 'a' && c <= 'z' ? 'a' : c >= '0' && c <= '9' ? '0' : c;

/**
 * A long base64/base64url string (standard base64 may hold '/') that switches between upper
 * case, lower case, digits and symbols at most characters, as random data does (~0.65 of them;
 * 96% of random 40-character tokens switch at half or more), where names and paths made of
 * words switch at a third or less (`/workspace/MyOrgPipelineRepository2024/token`: 0.28).
 */
function looksRandom(value: string): boolean {
  if (value.length < 40 || !/^[A-Za-z0-9+/=_~-]+$/.test(value)) return false;
  if (!/[A-Z]/.test(value) || !/[a-z]/.test(value) || !/[0-9]/.test(value)) return false;
  let switches = 0;
  for (let i = 1; i < value.length; i++)
    if (charClass(value[i]) !== charClass(value[i - 1])) switches++;
  return switches / (value.length - 1) >= 0.5;
}

/**
 * Whether a `--token-env` or `--token-file` value is a credential itself rather than a name or
 * a path. Such a value is never echoed: error messages end up in terminal scrollback and CI logs.
 */
function looksLikeToken(value: string, flag: '--token-env' | '--token-file'): boolean {
  const v = value.trim();
  if (
    /^(eyJ|ZXlK)/.test(v) || // a JWT, or its base64 form as in a Secret's `data`
    /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]/.test(v) || // a JWT inside the value
    /^bearer\s/i.test(v) || // an Authorization header's value
    /^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(v) || // a kubeadm bootstrap token
    looksRandom(v)
  ) {
    return true;
  }
  // Environment variable names that long use '_' between words.
  if (flag === '--token-env') return v.length >= 40 && !v.includes('_');
  // A static token without a path separator or a file extension: `./NAME` is the way out.
  return v.length >= 40 && !/[/\\]/.test(v) && !/\.[A-Za-z0-9]{1,8}$/.test(v);
}

/** A kubeconfig (YAML or JSON) given where a token belongs: it has kubeconfig's top-level keys. */
function looksLikeKubeconfig(text: string): boolean {
  const keys = ['apiVersion', 'kind', 'clusters', 'contexts', 'users', 'current-context'];
  const found = keys.filter((k) => new RegExp(`(^|[{,])\\s*"?${k}"?\\s*:`, 'm').test(text));
  return found.length >= 2 || /^\s*kind:\s*Config\s*$/m.test(text);
}

/** A POSIX environment variable name, as `--token-env` must give. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads the token from `--token-file` or `--token-env`; exactly one must be given. */
export async function readToken(
  flags: { tokenFile?: string; tokenEnv?: string },
  io: CliIo,
): Promise<string> {
  if ((flags.tokenFile === undefined) === (flags.tokenEnv === undefined)) {
    throw new CliError(
      'give the token with exactly one of --token-file FILE, --token-file - (stdin) or --token-env VAR',
    );
  }
  // A token pasted where a name belongs must not be echoed back (terminal scrollback, CI logs).
  for (const [flag, value, wanted] of [
    ['--token-env', flags.tokenEnv, 'the NAME of an environment variable'],
    [
      '--token-file',
      flags.tokenFile,
      "the PATH of a file holding the token (a long name without an extension needs a folder, e.g. ./NAME), or '-' for standard input",
    ],
  ] as const) {
    if (value !== undefined && looksLikeToken(value, flag)) {
      throw new CliError(`the value given to ${flag} looks like a token itself: pass ${wanted}`);
    }
  }
  if (flags.tokenEnv !== undefined && !ENV_NAME.test(flags.tokenEnv)) {
    // Not quoted: whatever it is, it is not a name, and it may be a credential.
    throw new CliError(
      "--token-env takes the NAME of an environment variable (letters, digits and '_', not starting with a digit); the value given is not one and is not shown, as it may be a token",
    );
  }
  let text: string;
  if (flags.tokenEnv !== undefined) {
    const value = (io.env ?? process.env)[flags.tokenEnv];
    if (value === undefined)
      throw new CliError(`environment variable '${flags.tokenEnv}' is not set`);
    text = value;
  } else if (flags.tokenFile === '-') {
    if (!io.stdin) throw new CliError('--token-file -: no standard input');
    text = await readStream(io.stdin);
  } else {
    try {
      text = await readFile(flags.tokenFile as string, 'utf8');
    } catch (err) {
      throw new CliError(
        `cannot read --token-file '${flags.tokenFile}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  const token = text.trim();
  const from =
    flags.tokenEnv !== undefined
      ? `environment variable '${flags.tokenEnv}'`
      : flags.tokenFile === '-'
        ? 'standard input (--token-file -)'
        : `--token-file '${flags.tokenFile}'`;
  if (token === '') throw new CliError(`the token from ${from} is empty`);
  if (looksLikeKubeconfig(token)) {
    const asKubeconfig =
      flags.tokenFile !== undefined && flags.tokenFile !== '-'
        ? `--kubeconfig '${flags.tokenFile}'`
        : '--kubeconfig FILE';
    throw new CliError(
      `${from} holds a kubeconfig, not a token: to use its credentials pass ${asKubeconfig} instead; to use a token give a file or variable holding only the token`,
    );
  }
  return token;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `600s`, `10m`, `1h30m`, `2d` into seconds. */
export function parseDurationSeconds(text: string, flag: string, min = 0): number {
  const t = text.trim();
  let seconds: number;
  if (/^\d+$/.test(t)) seconds = Number(t);
  else if (/^(\d+[smhd])+$/.test(t)) {
    seconds = 0;
    for (const [, n, unit] of t.matchAll(/(\d+)([smhd])/g)) seconds += Number(n) * UNITS[unit];
  } else {
    throw new CliError(`${flag} must be a duration like 600s, 10m, 1h30m or 2d, got '${text}'`);
  }
  if (seconds < min) throw new CliError(`${flag} must be at least ${min} s, got ${seconds} s`);
  return seconds;
}

/** The exit code of a runtime error category. */
export function exitCodeOf(category: string | undefined): number {
  switch (category) {
    case 'usage':
      return ExitCode.USAGE;
    case 'not-found':
      return ExitCode.NOT_FOUND;
    case 'forbidden':
      return ExitCode.FORBIDDEN;
    case 'conflict':
      return ExitCode.CONFLICT;
    case 'transient':
      return ExitCode.TRANSIENT;
    default:
      return ExitCode.INTERNAL;
  }
}

/** Runs a command body, turning runtime errors into CLI errors with their exit codes. */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = err as { name?: string; category?: string; message?: string };
    if (e?.name === 'AccessTokensError' || e?.name === 'TokenDeclarationError') {
      throw new CliError(
        e.message ?? 'error',
        exitCodeOf(e.name === 'TokenDeclarationError' ? 'usage' : e.category),
      );
    }
    // Anything else may come from a library and embed a request or response: redact.
    throw new CliError(
      redactSecrets(err instanceof Error ? err.message.split('\n')[0] : String(err)),
      ExitCode.INTERNAL,
    );
  }
}

/** Prints data as JSON or YAML (the YAML writer is loaded only when asked: cold start). */
export async function printData(io: CliIo, format: 'json' | 'yaml', data: unknown): Promise<void> {
  if (format === 'json') {
    io.stdout(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const { dump } = await import('js-yaml');
  io.stdout(dump(data, { noRefs: true, lineWidth: -1 }));
}

/** A simple aligned two-column table. */
export function keyValueTable(rows: readonly (readonly [string, string | undefined])[]): string {
  const present = rows.filter(([, v]) => v !== undefined && v !== '') as [string, string][];
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}\n`).join('');
}

/** An aligned table with a header row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
