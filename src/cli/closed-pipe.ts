/**
 * `access-tokens lint dist/ | head -1`: once the reader closes the pipe, writing to it fails
 * with EPIPE, which Node turns into an unhandled 'error' event and a stack trace. kubectl is
 * simply ended by SIGPIPE; do the same: stop at once, print nothing, and exit with the status a
 * shell reports for a process that SIGPIPE ended (128 + 13).
 *
 * Any other write error (ENOSPC on a full disk, EIO) means the output is lost: say so in one
 * line and exit with the internal-error code, never with a code that is an answer (`can-i`'s 1
 * is "no", `lint`'s 1 is "findings").
 */
import { ExitCode } from './exit-codes.js';

/** The exit status of a process ended by SIGPIPE, as shells report it. */
export const CLOSED_PIPE_EXIT_CODE = 141;

/**
 * Ends the process when writing to `stream` fails: quietly with 141 when its reader has gone,
 * otherwise with 70 after telling `report` (absent for standard error itself) what failed.
 */
export function endQuietlyOnClosedPipe(
  stream: NodeJS.WritableStream,
  name: string,
  report: ((text: string) => void) | undefined,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      exit(CLOSED_PIPE_EXIT_CODE);
      return;
    }
    report?.(`error: cannot write to ${name}: ${err.message}\n`);
    exit(ExitCode.INTERNAL);
  });
}
