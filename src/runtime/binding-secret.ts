/**
 * The per-token Secret of `--bind-to-new-secret`: owned by the ServiceAccount (so it goes
 * when the ServiceAccount goes) and bound into the token, so that deleting it revokes that one
 * token. It holds no data. Once minted, the token's expiry is recorded on it, so that later
 * mints can delete the Secrets of tokens that have expired instead of letting them pile up.
 */
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import {
  EXPIRES_AT_ANNOTATION,
  managedSecretManifest,
  SERVICE_ACCOUNT_ANNOTATION,
} from '../contract/token-declaration.js';
import { loadClientNode, type ClusterClient } from './cluster.js';
import { AccessTokensError } from './errors.js';
import type { BoundObject, MintedToken } from './minted-token.js';
import type { SecretObject } from './read-objects.js';

/** Label on a Secret created only to bind one token to it. */
export const BINDING_SECRET_LABEL = 'access-tokens.cdk8s.io/token-binding';

/** Creates a Secret owned by the ServiceAccount, for one token to be bound to. */
export async function createBindingSecret(
  client: ClusterClient,
  namespace: string,
  serviceAccount: string,
): Promise<Required<BoundObject>> {
  const core = await client.api('CoreV1Api');
  const sa = await client.call(
    { verb: 'get', resource: 'serviceaccounts', namespace, name: serviceAccount },
    (o) => core.readNamespacedServiceAccount({ name: serviceAccount, namespace }, o),
  );
  const uid = sa.metadata?.uid ?? '';
  // The name is chosen here, not by generateName, so that a retried create cannot leave a
  // second Secret behind: the retry gets 409 and the existing Secret is used.
  const name = `${serviceAccount.slice(0, 230)}-token-${randomBytes(4).toString('hex')}`;
  const body: SecretObject = managedSecretManifest(name, {
    namespace,
    labels: { [BINDING_SECRET_LABEL]: 'true' },
    annotations: { [SERVICE_ACCOUNT_ANNOTATION]: serviceAccount },
    ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: serviceAccount, uid }],
  });
  const action = { verb: 'create', resource: 'secrets', namespace };
  let secret: SecretObject;
  try {
    secret = await client.call(action, (o) =>
      core.createNamespacedSecret({ namespace, body: body as k8s.V1Secret }, o),
    );
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
  const core = await client.api('CoreV1Api');
  await client.call({ verb: 'delete', resource: 'secrets', namespace, name: bound.name }, (o) =>
    core.deleteNamespacedSecret(
      { name: bound.name, namespace, body: { preconditions: { uid: bound.uid } } },
      o,
    ),
  );
}

/**
 * After a token minted with a new binding Secret could not be kept (its file or Secret could
 * not be written): deletes that Secret, which now binds a token nobody has, and rethrows the
 * failure saying so. Never call it for a Secret the caller bound to on purpose.
 */
export async function discardBindingSecret(
  client: ClusterClient,
  minted: MintedToken,
  failure: unknown,
): Promise<never> {
  const bound = minted.boundObject;
  const error =
    failure instanceof AccessTokensError
      ? failure
      : new AccessTokensError(String((failure as Error)?.message ?? failure), 'internal');
  if (!bound || bound.kind !== 'Secret') throw error;
  let note: string;
  try {
    await deleteBindingSecret(client, minted.namespace, bound);
    note = `the token was discarded and its binding Secret ${bound.name} deleted`;
  } catch (err) {
    note = `the token was discarded; its binding Secret ${bound.name} could not be deleted: ${(err as Error).message}`;
  }
  throw new AccessTokensError(`${error.message} (${note})`, error.category, error.status);
}

/**
 * Records the expiry of the token bound to a binding Secret. A merge patch that names the UID,
 * so that it fails rather than annotate a Secret of the same name created since.
 */
export async function recordBindingSecretExpiry(
  client: ClusterClient,
  namespace: string,
  bound: Required<BoundObject>,
  expiresAt: string,
): Promise<void> {
  const core = await client.api('CoreV1Api');
  const { PatchStrategy, setHeaderOptions } = await loadClientNode();
  const body = {
    metadata: { uid: bound.uid, annotations: { [EXPIRES_AT_ANNOTATION]: expiresAt } },
  };
  await client.call({ verb: 'patch', resource: 'secrets', namespace, name: bound.name }, (o) =>
    core.patchNamespacedSecret(
      { name: bound.name, namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch, o),
    ),
  );
}

/** The binding Secrets of every ServiceAccount in `namespace` (one LIST). */
export async function listBindingSecrets(
  client: ClusterClient,
  namespace: string,
): Promise<readonly SecretObject[]> {
  const core = await client.api('CoreV1Api');
  const list = await client.call({ verb: 'list', resource: 'secrets', namespace }, (o) =>
    core.listNamespacedSecret({ namespace, labelSelector: `${BINDING_SECRET_LABEL}=true` }, o),
  );
  return list.items;
}

/**
 * Deletes the ServiceAccount's binding Secrets whose token has expired: those deletions revoke
 * nothing alive. A Secret without a (valid) expiry is kept, since its token may still be live.
 * Resolves with the number deleted. `listed`: the namespace's binding Secrets, when the caller
 * listed them already (`mint --from` lists each namespace once, not once per token).
 */
export async function deleteExpiredBindingSecrets(
  client: ClusterClient,
  namespace: string,
  serviceAccount: string,
  now: Date = new Date(),
  listed: Promise<readonly SecretObject[]> = listBindingSecrets(client, namespace),
): Promise<number> {
  const expired = (await listed).filter((s) => {
    const annotations = s.metadata?.annotations ?? {};
    const expiresAt = Date.parse(annotations[EXPIRES_AT_ANNOTATION] ?? '');
    return (
      annotations[SERVICE_ACCOUNT_ANNOTATION] === serviceAccount &&
      s.metadata?.labels?.[BINDING_SECRET_LABEL] === 'true' &&
      Number.isFinite(expiresAt) &&
      expiresAt < now.getTime()
    );
  });
  let deleted = 0;
  for (const s of expired) {
    const bound = {
      kind: 'Secret' as const,
      name: s.metadata?.name ?? '',
      uid: s.metadata?.uid ?? '',
    };
    try {
      await deleteBindingSecret(client, namespace, bound);
      deleted++;
    } catch (err) {
      // Gone already, or replaced by another Secret of that name (the UID precondition failed).
      const status = (err as { status?: number }).status;
      if (status !== 404 && status !== 409) throw err;
    }
  }
  return deleted;
}

/**
 * `deleteExpiredBindingSecrets` after a token was minted and stored: a failure is returned as
 * a warning, not thrown, since the new token is already in place.
 */
export async function cleanUpExpiredBindingSecrets(
  client: ClusterClient,
  namespace: string,
  serviceAccount: string,
  listed?: Promise<readonly SecretObject[]>,
): Promise<{ readonly deleted: number; readonly warning?: string }> {
  try {
    return {
      deleted: await deleteExpiredBindingSecrets(
        client,
        namespace,
        serviceAccount,
        new Date(),
        listed,
      ),
    };
  } catch (err) {
    return {
      deleted: 0,
      warning: `could not delete the binding Secrets of expired tokens: ${(err as Error).message}`,
    };
  }
}
