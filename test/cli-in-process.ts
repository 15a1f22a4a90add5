import { main } from '../src/cli/main.js';

/** What one CLI run printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI in-process through `main(argv, io)` (no process, no server) and collects its
 * output. The default environment has no kubeconfig, so nothing can reach a cluster by accident.
 */
export async function runInProcess(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = { HOME: '/nonexistent' },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
  });
  return { code, stdout, stderr };
}
