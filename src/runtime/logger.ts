/**
 * The runtime's logger: warnings, progress and debug lines, each redacted before it is written.
 */
import { redactSecrets } from './redact.js';

/** A sink for warnings and progress; every line passes through `redactSecrets`. */
export interface RuntimeLogger {
  /** Warnings. The runtime's own warnings are returned in results (`MintedToken.warnings`). */
  readonly warn: (message: string) => void;
  /**
   * Progress lines.
   * @default - dropped
   */
  readonly info?: (message: string) => void;
  /**
   * Details for troubleshooting, e.g. each retry with its status and delay.
   * @default - dropped
   */
  readonly debug?: (message: string) => void;
}

/** A logger that drops everything. */
export const silentLogger: RuntimeLogger = { warn: () => undefined };

/** Wraps a logger so that nothing secret reaches it. */
export function safeLogger(logger: RuntimeLogger | undefined): Required<RuntimeLogger> {
  const l = logger ?? silentLogger;
  return {
    warn: (m) => l.warn(redactSecrets(m)),
    info: (m) => l.info?.(redactSecrets(m)),
    debug: (m) => l.debug?.(redactSecrets(m)),
  };
}
