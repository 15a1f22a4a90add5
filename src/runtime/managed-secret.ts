/**
 * Whether a Secret may take a ServiceAccount's token: only a token store of ours, for that
 * ServiceAccount, holding nothing but a token. Pure, so that `mint --from` checks a namespace's
 * destinations from one LIST before it mints (`listManagedSecrets`), and `storeToken` the
 * Secret it read itself.
 */
import {
  MANAGED_LABEL,
  MANAGED_SECRET_TYPE,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_SECRET_KEY,
} from '../contract/token-declaration.js';
import { BINDING_SECRET_LABEL } from './binding-secret.js';
import type { ClusterClient } from './cluster.js';
import { listSecrets } from './json-request.js';
import { decodeJwtClaims, subjectOf } from './jwt.js';
import type { SecretObject } from './read-objects.js';

/** `Opaque`: the type token stores had before they had one of their own (version 0.1). */
const EARLIER_STORE_TYPE = 'Opaque';

/**
 * Why the existing Secret `namespace/name` must not take a token of `serviceAccount`, or
 * undefined when it may. A typo in a name, or a manifest naming someone else's Secret, must not
 * take it over: RBAC cannot restrict writes to Secrets by label or content.
 */
export function tokenStoreProblem(
  secret: SecretObject,
  namespace: string,
  name: string,
  serviceAccount: string,
): string | undefined {
  const where = `secret '${namespace}/${name}'`;
  const type = secret.type ?? EARLIER_STORE_TYPE;
  if (type !== MANAGED_SECRET_TYPE && type !== EARLIER_STORE_TYPE)
    return `${where} has type '${type}', expected '${MANAGED_SECRET_TYPE}': refusing to overwrite it`;
  const labels = secret.metadata?.labels ?? {};
  if (labels[MANAGED_LABEL] !== 'true')
    return `${where} exists and is not managed by access-tokens (no label ${MANAGED_LABEL}=true): refusing to overwrite it; choose another name, or add the label to hand it over`;
  if (labels[BINDING_SECRET_LABEL] === 'true')
    return `${where} is the binding Secret of a token (label ${BINDING_SECRET_LABEL}): it holds no token; choose another name`;
  // A label merged into someone else's Secret (`kubectl apply` of a store named like it, before
  // stores had a type of their own) must not make its keys share a Secret with a token.
  const foreign = Object.keys(secret.data ?? {}).filter((key) => key !== TOKEN_SECRET_KEY);
  if (foreign.length > 0)
    return `${where} holds keys that access-tokens did not write (${foreign.sort().join(', ')}): refusing to put a token beside them; choose another name for the token's Secret`;
  const holder = secret.metadata?.annotations?.[SERVICE_ACCOUNT_ANNOTATION];
  if (holder !== undefined && holder !== serviceAccount)
    return `${where} holds the token of ServiceAccount '${holder}': refusing to overwrite it with one of '${serviceAccount}'`;
  // The annotation is what we wrote; the token is what the Secret holds. A token copied in by
  // hand (or an annotation edited) must not let another ServiceAccount's token be replaced.
  const stored = storedTokenHolder(secret);
  if (stored !== undefined && (stored.namespace !== namespace || stored.name !== serviceAccount)) {
    const account =
      stored.namespace === namespace ? stored.name : `${stored.namespace}/${stored.name}`;
    return `${where} holds a token of ServiceAccount '${account}'${holder === undefined ? '' : ` (though annotated as '${holder}')`}: refusing to overwrite it with one of '${serviceAccount}'; empty or delete the Secret first if that token is no longer needed`;
  }
  return undefined;
}

/**
 * The ServiceAccount whose token the Secret's `token` key holds, read from the token's claims;
 * undefined when it holds none, or something that is not a ServiceAccount token.
 */
function storedTokenHolder(
  secret: SecretObject,
): { readonly namespace: string; readonly name: string } | undefined {
  const encoded = secret.data?.[TOKEN_SECRET_KEY];
  if (!encoded) return undefined;
  try {
    const subject = subjectOf(
      decodeJwtClaims(Buffer.from(encoded, 'base64').toString('utf8').trim()),
    );
    if (subject.namespace === undefined || subject.serviceAccount === undefined) return undefined;
    return { namespace: subject.namespace, name: subject.serviceAccount };
  } catch {
    return undefined;
  }
}

/**
 * The managed Secrets of each namespace, listed once for all its tokens (`mint --from`,
 * `rotate --from`), or undefined where they cannot be listed (a Role that grants only `get` and
 * `update` on named Secrets): each token's Secret is then read on its own.
 */
export function managedSecretsLister(
  client: ClusterClient,
): (namespace: string) => Promise<readonly SecretObject[] | undefined> {
  const listed = new Map<string, Promise<readonly SecretObject[] | undefined>>();
  return (namespace) => {
    let secrets = listed.get(namespace);
    if (!secrets) {
      secrets = listManagedSecrets(client, namespace).catch((err: unknown) => {
        client.log.debug(
          `cannot list the managed Secrets of '${namespace}' (${(err as Error).message}): each Secret store is read on its own`,
        );
        return undefined;
      });
      listed.set(namespace, secrets);
    }
    return secrets;
  };
}

/** The Secrets of `namespace` labelled as managed by access-tokens (one LIST). */
export async function listManagedSecrets(
  client: ClusterClient,
  namespace: string,
): Promise<readonly SecretObject[]> {
  const list = await client.call({ verb: 'list', resource: 'secrets', namespace }, (o) =>
    listSecrets(client, namespace, `${MANAGED_LABEL}=true`, o),
  );
  return list.items;
}
