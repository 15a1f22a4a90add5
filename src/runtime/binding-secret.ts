/**
 * The per-token Secret of `--bind-to-new-secret`: owned by the ServiceAccount (so it goes
 * when the ServiceAccount goes) and bound into the token, so that deleting it revokes that one
 * token. It holds no data.
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import {
  managedSecretManifest,
  SERVICE_ACCOUNT_ANNOTATION,
} from '../contract/token-declaration.js';
import type { ClusterClient } from './cluster.js';
import type { BoundObject } from './mint.js';

/** Label on a Secret created only to bind one token to it. */
export const BINDING_SECRET_LABEL = 'access-tokens.cdk8s.io/token-binding';

/** Creates a Secret owned by the ServiceAccount, for one token to be bound to. */
export async function createBindingSecret(
  client: ClusterClient,
  namespace: string,
  serviceAccount: string,
): Promise<Required<BoundObject>> {
  const core = client.api(k8s.CoreV1Api);
  const sa = await client.call(
    { verb: 'get', resource: 'serviceaccounts', namespace, name: serviceAccount },
    (o) => core.readNamespacedServiceAccount({ name: serviceAccount, namespace }, o),
  );
  const uid = sa.metadata?.uid ?? '';
  // The name is chosen here, not by generateName, so that a retried create cannot leave a
  // second Secret behind: the retry gets 409 and the existing Secret is used.
  const name = `${serviceAccount.slice(0, 230)}-token-${randomBytes(4).toString('hex')}`;
  const body: k8s.V1Secret = managedSecretManifest(name, {
    namespace,
    labels: { [BINDING_SECRET_LABEL]: 'true' },
    annotations: { [SERVICE_ACCOUNT_ANNOTATION]: serviceAccount },
    ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: serviceAccount, uid }],
  });
  const action = { verb: 'create', resource: 'secrets', namespace };
  let secret: k8s.V1Secret;
  try {
    secret = await client.call(action, (o) => core.createNamespacedSecret({ namespace, body }, o));
  } catch (err) {
    if ((err as { status?: number }).status !== 409) throw err;
    secret = await client.call({ verb: 'get', resource: 'secrets', namespace, name }, (o) =>
      core.readNamespacedSecret({ name, namespace }, o),
    );
  }
  return { kind: 'Secret', name, uid: secret.metadata?.uid ?? '' };
}

/** Deletes a binding Secret, only if it is still the one with that UID. */
export async function deleteBindingSecret(
  client: ClusterClient,
  namespace: string,
  bound: Required<BoundObject>,
): Promise<void> {
  const core = client.api(k8s.CoreV1Api);
  await client.call({ verb: 'delete', resource: 'secrets', namespace, name: bound.name }, (o) =>
    core.deleteNamespacedSecret(
      { name: bound.name, namespace, body: { preconditions: { uid: bound.uid } } },
      o,
    ),
  );
}
