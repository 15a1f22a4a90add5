/**
 * A client that authenticates with a given token against the same server (and CA) as an
 * existing configuration: how `can-i --token-file` and the kubeconfig check ask as the token.
 */
import { ClusterClient } from './cluster.js';
import { AccessTokensError } from './errors.js';
import type { KubeconfigData } from './kubeconfig-model.js';
import { registerSecret } from './redact.js';

/** A ClusterClient for `token`, on `base`'s current cluster and namespace. */
export function clientForToken(
  base: ClusterClient,
  token: string,
  namespace = base.namespace,
): ClusterClient {
  registerSecret(token);
  const cluster = base.kc.getCurrentCluster();
  if (!cluster)
    throw new AccessTokensError('the current kubeconfig context names no cluster', 'usage');
  const kubeConfig: KubeconfigData = {
    clusters: [cluster],
    users: [{ name: 'token', token }],
    contexts: [{ name: 'token', cluster: cluster.name, user: 'token', namespace }],
    currentContext: 'token',
  };
  return new ClusterClient({ kubeConfig, namespace, retry: base.retry, logger: base.log });
}
