/**
 * After a revocation, the managed Secrets that still hold the dead token: the token is removed
 * from them and the time recorded (`REVOKED_AT_ANNOTATION`), so that nothing goes on reading a
 * token that no longer works and `describe` can say so. Compared by value in memory; the token
 * is never logged.
 */
import type * as k8s from '@kubernetes/client-node';
import {
  MANAGED_LABEL,
  REVOKED_AT_ANNOTATION,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_SECRET_KEY,
} from '../contract/token-declaration.js';
import type { ClusterClient } from './cluster.js';
import { AccessTokensError } from './errors.js';
import type { SecretObject } from './read-objects.js';

/** What clearing found. */
export interface ClearedStores {
  /** The managed Secrets the revoked token was removed from. */
  readonly cleared: readonly string[];
  /** What could not be done (the stores could not be listed or written), for the caller to show. */
  readonly warnings: readonly string[];
}

function holds(secret: SecretObject, serviceAccount: string, token: string): boolean {
  const data = secret.data?.[TOKEN_SECRET_KEY];
  return (
    secret.metadata?.annotations?.[SERVICE_ACCOUNT_ANNOTATION] === serviceAccount &&
    data !== undefined &&
    Buffer.from(data, 'base64').toString('utf8') === token
  );
}

/**
 * Removes `token` from the managed Secrets of `namespace` that hold it for `serviceAccount`.
 * Each write carries the resourceVersion read: a store another writer has refilled since (a
 * rotation) is left alone.
 */
export async function clearRevokedStores(
  client: ClusterClient,
  namespace: string,
  serviceAccount: string,
  token: string,
  now: Date = new Date(),
): Promise<ClearedStores> {
  const core = await client.api('CoreV1Api');
  const cleared: string[] = [];
  const warnings: string[] = [];
  let secrets: SecretObject[];
  try {
    secrets = (
      await client.call({ verb: 'list', resource: 'secrets', namespace }, (o) =>
        core.listNamespacedSecret({ namespace, labelSelector: `${MANAGED_LABEL}=true` }, o),
      )
    ).items;
  } catch (err) {
    if (!(err instanceof AccessTokensError)) throw err;
    return {
      cleared,
      warnings: [
        `token stores in '${namespace}' not checked for the revoked token: ${err.message}`,
      ],
    };
  }
  for (const secret of secrets.filter((s) => holds(s, serviceAccount, token))) {
    const name = secret.metadata?.name ?? '';
    const data = { ...secret.data };
    delete data[TOKEN_SECRET_KEY];
    const body: SecretObject = {
      ...secret,
      metadata: {
        ...secret.metadata,
        annotations: {
          ...secret.metadata?.annotations,
          [REVOKED_AT_ANNOTATION]: now.toISOString(),
        },
      },
      data,
    };
    try {
      await client.call({ verb: 'update', resource: 'secrets', namespace, name }, (o) =>
        core.replaceNamespacedSecret({ name, namespace, body: body as k8s.V1Secret }, o),
      );
      cleared.push(name);
    } catch (err) {
      if (!(err instanceof AccessTokensError)) throw err;
      warnings.push(
        err.status === 409
          ? `secret '${namespace}/${name}' changed while the revoked token was being removed (a new token was stored): left as it is`
          : `secret '${namespace}/${name}' still holds the revoked token: ${err.message}`,
      );
    }
  }
  return { cleared: cleared.sort(), warnings };
}
