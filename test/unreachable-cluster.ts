/**
 * CLI flags for a kubeconfig with a token for a server nobody listens on: the cluster form of a
 * command gets as far as its first request, which fails with ECONNREFUSED after one short
 * attempt. Tests use it to see which code a cluster command loads.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** `--kubeconfig FILE --request-timeout 1s`, FILE written (mode 0600) in a new temp folder. */
export function unreachableClusterFlags(): string[] {
  const file = join(tempDir('unreachable-kubeconfig-'), 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: u, user: {token: not-a-token}}]',
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]',
      'current-context: x',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return ['--kubeconfig', file, '--request-timeout', '1s'];
}
