/**
 * The CLI's input and output, injectable so that tests run the CLI in-process. A file of its
 * own so that the commands and `main.ts` both import it without importing each other.
 */

/** Output streams, injectable so tests run the CLI in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Standard input, for `--token-file -`. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Environment, for KUBECONFIG and token variables. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress lines go there). @default false */
  readonly stderrIsTerminal?: boolean;
}
