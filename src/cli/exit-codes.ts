/**
 * The CLI's exit codes (documented in the README), and how runtime errors map to them.
 */
import { redactSecrets } from '../runtime/redact.js';

/** The CLI's exit codes. `can-i` follows kubectl: 0 yes, 1 no. */
export const ExitCode = {
  /** Success; for `can-i`, "yes". */
  OK: 0,
  /** `lint` found unacknowledged errors; `can-i` answered "no"; a command partly failed. */
  FINDINGS: 1,
  /** Bad arguments or input (usage error). */
  USAGE: 2,
  /** The named object does not exist (404). */
  NOT_FOUND: 3,
  /** The API server refused the request (401/403). */
  FORBIDDEN: 4,
  /** A write lost an optimistic-concurrency race (409) and was not retried. */
  CONFLICT: 5,
  /** Transient failures (5xx, 429, timeouts, resets) persisted through every retry. */
  TRANSIENT: 6,
  /** Anything else. */
  INTERNAL: 70,
} as const;

/** An error that carries its exit code; the message is printed as is (never a token). */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number = ExitCode.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
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
