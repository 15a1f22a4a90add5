/**
 * The CLI's exit codes (documented in the README). `can-i` follows kubectl: 0 yes, 1 no.
 */
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
