/**
 * `access-tokens lint dist/ | head -1`: once the reader closes the pipe, writing to it fails
 * with EPIPE, which Node turns into an unhandled 'error' event and a stack trace. kubectl is
 * simply ended by SIGPIPE; do the same: stop at once, print nothing, and exit with the status a
 * shell reports for a process that SIGPIPE ended (128 + 13).
 */

/** The exit status of a process ended by SIGPIPE, as shells report it. */
export const CLOSED_PIPE_EXIT_CODE = 141;

/** Ends the process quietly when `stream`'s reader has gone; other errors are rethrown. */
export function endQuietlyOnClosedPipe(
  stream: NodeJS.WritableStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(CLOSED_PIPE_EXIT_CODE);
    else throw err;
  });
}
