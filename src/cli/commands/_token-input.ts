/**
 * Reading a token from a file, standard input or an environment variable, never from argv; a
 * token pasted where a name or path belongs is refused without being echoed. Private to the CLI.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { CliError } from '../exit-codes.js';

/** Adds `--token-file FILE|-` and `--token-env VAR`. */
export function addTokenFlags(cmd: Command): Command {
  return cmd
    .option('--token-file <file>', "read the token from FILE ('-' for standard input)")
    .option('--token-env <var>', 'read the token from the environment variable VAR');
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
    // hex (a static token file's, as the Kubernetes docs make them), also as `od` prints it
    /^(?=.*[0-9])[0-9a-f]{16,}$/i.test(v) ||
    /^(?:[0-9a-f]{8}\s+){3,}[0-9a-f]{8}$/i.test(v) ||
    /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(v) || // a UUID
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
