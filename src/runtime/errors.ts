/**
 * The runtime's error type. Each error carries a category that the CLI maps to an exit code,
 * and a message that never contains a token: it is redacted when the error is made.
 */
import { redactSecrets } from './redact.js';

/** What went wrong, in the terms the CLI's exit codes use. */
export type ErrorCategory =
  'usage' | 'not-found' | 'forbidden' | 'conflict' | 'transient' | 'internal';

/** An error from the runtime. The message is safe to print. */
export class AccessTokensError extends Error {
  constructor(
    message: string,
    /**
     * What went wrong. The CLI exits with 2 for `usage`, 3 `not-found`, 4 `forbidden`,
     * 5 `conflict`, 6 `transient` (still failing after every retry), 70 `internal`.
     */
    public readonly category: ErrorCategory,
    /** The HTTP status, when the error came from the API server. */
    public readonly status?: number,
    /**
     * How many attempts were made. More than one means earlier attempts failed transiently
     * and may still have been carried out by the server.
     */
    public readonly attempts?: number,
  ) {
    super(redactSecrets(message));
    this.name = 'AccessTokensError';
  }
}
