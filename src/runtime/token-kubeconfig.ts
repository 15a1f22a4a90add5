/**
 * A kubeconfig that authenticates with a minted token: the server and CA of the current
 * context (or the in-cluster configuration), the token as the user, one named context.
 */
import { readFileSync } from 'node:fs';
import { dump } from 'js-yaml';
import type { KubeconfigModel } from './kubeconfig-model.js';
import { AccessTokensError } from './errors.js';

/** What goes into the kubeconfig besides the token. */
export interface TokenKubeconfigOptions {
  /** The context's namespace; with `serviceAccount`, also the user's name (`NS/NAME`). */
  readonly namespace: string;
  /** The ServiceAccount's name, for the user's and the default context's names. */
  readonly serviceAccount: string;
  /**
   * The name of the one context, which is made current.
   * @default `<serviceAccount>@<cluster>`
   */
  readonly contextName?: string;
}

/** Renders a kubeconfig (YAML) for a token, taking server and CA from `kc`'s current cluster. */
export function renderTokenKubeconfig(
  kc: Pick<KubeconfigModel, 'getCurrentCluster'>,
  token: string,
  options: TokenKubeconfigOptions,
): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new AccessTokensError('the current kubeconfig context names no cluster', 'usage');
  let caData = cluster.caData;
  if (!caData && cluster.caFile) caData = readFileSync(cluster.caFile).toString('base64');
  const clusterName = cluster.name === 'inCluster' ? 'in-cluster' : cluster.name;
  const user = `${options.namespace}/${options.serviceAccount}`;
  const contextName = options.contextName ?? `${options.serviceAccount}@${clusterName}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterName,
        cluster: {
          server: cluster.server,
          ...(caData ? { 'certificate-authority-data': caData } : {}),
          ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}),
          ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [
      { name: contextName, context: { cluster: clusterName, user, namespace: options.namespace } },
    ],
    'current-context': contextName,
  };
  return dump(doc, { noRefs: true, lineWidth: -1 });
}
