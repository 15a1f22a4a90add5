/**
 * kubectl's connection flags (`--kubeconfig`, `--context`, `-n`) and the retry knobs, and the
 * runtime's ClusterOptions made from them. Private to the CLI.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { DEFAULT_RETRY_POLICY } from '../../runtime/retry.js';
import {
  parseDurationMilliseconds,
  parseDurationSeconds,
  parseIntegerOption,
} from './_option-values.js';

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
    .option(
      '--request-timeout <duration>',
      'timeout of each attempt (default: 15s), e.g. 500ms or 1m; 0: none, as in kubectl (--max-retry-time still bounds it)',
    )
    .option(
      '--max-attempts <n>',
      'attempts per request on transient failures: 5xx, 429, resets, timeouts (default: 5)',
    )
    .option(
      '--max-retry-time <duration>',
      'stop retrying once this long has passed since the first attempt, e.g. 2m (default: 30s)',
    );
}

/** The runtime's ClusterOptions from the flags. */
export function clusterOptions(flags: ClusterFlags, io: CliIo): Record<string, unknown> {
  const retry: Record<string, number> = {};
  if (flags.maxAttempts !== undefined)
    retry.maxAttempts = parseIntegerOption(flags.maxAttempts, '--max-attempts', {
      min: 1,
      max: 20,
    });
  if (flags.maxRetryTime !== undefined)
    retry.maxTotalMs = parseDurationSeconds(flags.maxRetryTime, '--max-retry-time') * 1000;
  if (flags.requestTimeout !== undefined) {
    const ms = parseDurationMilliseconds(flags.requestTimeout, '--request-timeout');
    // kubectl's 0 is "no timeout"; here every attempt still ends with the retry budget.
    retry.attemptTimeoutMs = ms === 0 ? (retry.maxTotalMs ?? DEFAULT_RETRY_POLICY.maxTotalMs) : ms;
  }
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    env: io.env ?? process.env,
    retry,
    logger: { warn: (m: string) => io.stderr(`${m}\n`) },
  };
}
