/**
 * Storing a minted token where it was asked for: a Secret (optimistic concurrency on
 * resourceVersion, expiry and audiences recorded beside the token), a kubeconfig file or a
 * plain token file (0600, atomic), or a stream.
 */
import { lstat } from 'node:fs/promises';
import type * as k8s from '@kubernetes/client-node';
import type { SecretObject } from './read-objects.js';
import {
  AUDIENCES_ANNOTATION,
  EXPIRES_AT_ANNOTATION,
  MANAGED_LABEL,
  managedSecretManifest,
  MINTED_AT_ANNOTATION,
  REVOKED_AT_ANNOTATION,
  secretNameProblem,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_SECRET_KEY,
} from '../contract/token-declaration.js';
import { tokenFileProblem, writeFileAtomic } from './atomic-file.js';
import type { ClusterClient } from './cluster.js';
import { AccessTokensError } from './errors.js';
import { readSecret, sendJson } from './json-request.js';
import { tokenStoreProblem } from './managed-secret.js';
import type { MintedToken } from './minted-token.js';
import { renderTokenKubeconfig } from './token-kubeconfig.js';

/** Throws a usage error naming `path` when a token file may not be written there (a link, a device). */
export async function checkTokenFile(path: string): Promise<void> {
  const problem = tokenFileProblem(await lstat(path).catch(() => undefined));
  if (problem)
    throw new AccessTokensError(`cannot write the token file '${path}' (${problem})`, 'usage');
}

/** Writes a token file (0600, atomically); a failure names the file and the reason. */
async function writeTokenFile(path: string, text: string): Promise<void> {
  await checkTokenFile(path);
  try {
    await writeFileAtomic(path, text);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new AccessTokensError(`cannot write the token file '${path}' (${reason})`, 'usage');
  }
}

/** Where to put a token. */
export type TokenDestination =
  | {
      /**
       * A Secret of type `access-tokens.cdk8s.io/token`: the token in `data.token`, its expiry,
       * audiences, mint time and ServiceAccount as annotations. Written with optimistic
       * concurrency, and only into a token store of ours for this ServiceAccount.
       */
      readonly kind: 'secret';
      /** The Secret's name. */
      readonly name: string;
      /**
       * The Secret's namespace.
       * @default - the token's namespace
       */
      readonly namespace?: string;
      /** Create the Secret when it does not exist (not with `expectedResourceVersion`). @default true */
      readonly create?: boolean;
      /**
       * Replace only if the Secret still has this resourceVersion (a rotation that read it
       * first); a conflict when it changed or was deleted since.
       */
      readonly expectedResourceVersion?: string;
      /**
       * The Secret as the caller read it (e.g. in one LIST for many tokens), or `null` when
       * that read found none: the store then sends one request (a replace with the
       * resourceVersion read, or a create) instead of reading first. A change since the read
       * is a conflict, reported, never overwritten.
       * @default - read just before the write
       */
      readonly current?: SecretObject | null;
    }
  | {
      /**
       * A kubeconfig file (mode 0600, written atomically): the token as its user, the server
       * and CA of the client's current cluster.
       */
      readonly kind: 'kubeconfigFile';
      /** The file's path; its folder must exist. */
      readonly path: string;
      /**
       * The name of the kubeconfig's one context.
       * @default `<serviceAccount>@<cluster>`
       */
      readonly contextName?: string;
    }
  | {
      /** A file holding the token and a newline (mode 0600, written atomically). */
      readonly kind: 'tokenFile';
      /** The file's path; its folder must exist. */
      readonly path: string;
    }
  | {
      /** A callback, e.g. writing to a pipeline's stdout. */
      readonly kind: 'stream';
      /** Called once with the whole text, which holds the token. */
      readonly write: (text: string) => void;
      /**
       * `token`: the token and a newline; `kubeconfig`: a kubeconfig as for `kubeconfigFile`.
       * @default 'token'
       */
      readonly format?: 'token' | 'kubeconfig';
    };

/** Where a token went (no token inside). */
export interface StoredToken {
  /** Where it went, for messages: `secret/NAME -n NS`, the file's path, or `stdout` (a stream). */
  readonly destination: string;
  /** For a Secret: its resourceVersion after the write. */
  readonly resourceVersion?: string;
}

function secretAnnotations(minted: MintedToken): Record<string, string> {
  return {
    [EXPIRES_AT_ANNOTATION]: minted.expiresAt,
    [AUDIENCES_ANNOTATION]: JSON.stringify(minted.audiences),
    [MINTED_AT_ANNOTATION]: new Date().toISOString(),
    [SERVICE_ACCOUNT_ANNOTATION]: minted.serviceAccount,
  };
}

/** The annotations without `revoke`'s record: a new token in the store is not revoked. */
function withoutRevokedAt(annotations: Record<string, string>): Record<string, string> {
  const rest = { ...annotations };
  delete rest[REVOKED_AT_ANNOTATION];
  return rest;
}

const secretsPath = (namespace: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

/** The 409 of a write whose resourceVersion is no longer the Secret's. */
function conflict(namespace: string, name: string, why: string): AccessTokensError {
  return new AccessTokensError(
    `cannot update secrets '${name}' in namespace '${namespace}': conflict: ${why}`,
    'conflict',
    409,
  );
}

/**
 * A Secret destination read and checked before its token is minted (`tokenStoreProblem`), so
 * that a Secret that is not ours to write is refused with no token (and no binding Secret)
 * made for it; the write then is one request based on what was read here. A destination the
 * caller read already (`current`, from a LIST) is checked without a read.
 * @internal
 */
export async function checkedSecretDestination(
  client: ClusterClient,
  dest: Extract<TokenDestination, { kind: 'secret' }>,
  namespace: string,
  serviceAccount: string,
): Promise<Extract<TokenDestination, { kind: 'secret' }>> {
  const ns = dest.namespace ?? namespace;
  const nameProblem = secretNameProblem(dest.name);
  if (nameProblem) throw new AccessTokensError(nameProblem, 'usage');
  let current = dest.current;
  if (current === undefined) {
    try {
      current = await client.call(
        { verb: 'get', resource: 'secrets', namespace: ns, name: dest.name },
        (o) => readSecret(client, ns, dest.name, o),
      );
    } catch (err) {
      if (!(err instanceof AccessTokensError && err.category === 'not-found')) throw err;
      // Left for the write to report when it must not be created.
      if (dest.create === false) return dest;
      current = null;
    }
  }
  const problem = current && tokenStoreProblem(current, ns, dest.name, serviceAccount);
  if (problem) throw new AccessTokensError(problem, 'usage');
  return { ...dest, current };
}

async function storeInSecret(
  client: ClusterClient,
  minted: MintedToken,
  dest: Extract<TokenDestination, { kind: 'secret' }>,
): Promise<StoredToken> {
  const namespace = dest.namespace ?? minted.namespace;
  const name = dest.name;
  // Read (unless the caller did) and checked: what `mintAndStore` did before minting, and what
  // a caller of `storeToken` gets here.
  const { current: read } = await checkedSecretDestination(
    client,
    dest,
    minted.namespace,
    minted.serviceAccount,
  );
  const current = read ?? undefined;
  const data = { [TOKEN_SECRET_KEY]: Buffer.from(minted.token, 'utf8').toString('base64') };
  const destination = `secret/${name} -n ${namespace}`;
  if (!current && (dest.create === false || dest.expectedResourceVersion !== undefined)) {
    // The caller read a version of it: one deleted since is a lost race too, not a fresh start.
    if (dest.expectedResourceVersion === undefined)
      throw new AccessTokensError(
        `cannot update secrets '${name}' in namespace '${namespace}': not found`,
        'not-found',
        404,
      );
    throw conflict(
      namespace,
      name,
      `it was deleted since it was read (resourceVersion ${dest.expectedResourceVersion})`,
    );
  }
  // What went wrong when a write based on `current` (read here or by the caller) got a 409.
  const onWriteError = (err: unknown): Promise<StoredToken> =>
    storedByEarlierAttempt(client, err, namespace, name, data[TOKEN_SECRET_KEY]).catch(
      (final: unknown) => explainConflict(client, final, namespace, name, minted),
    );
  if (!current) {
    const body: SecretObject = managedSecretManifest(name, {
      namespace,
      annotations: secretAnnotations(minted),
      data,
    });
    try {
      const created = await client.call({ verb: 'create', resource: 'secrets', namespace }, (o) =>
        sendJson(client, 'POST', `${secretsPath(namespace)}`, body, () =>
          (async () =>
            (await client.api('CoreV1Api')).createNamespacedSecret(
              { namespace, body: body as k8s.V1Secret },
              o,
            ))(),
        ),
      );
      return { destination, resourceVersion: created.metadata?.resourceVersion };
    } catch (err) {
      return onWriteError(err);
    }
  }
  const resourceVersion = current.metadata?.resourceVersion;
  if (
    dest.expectedResourceVersion !== undefined &&
    dest.expectedResourceVersion !== resourceVersion
  ) {
    throw conflict(
      namespace,
      name,
      `it changed since it was read (resourceVersion ${dest.expectedResourceVersion}, now ${resourceVersion})`,
    );
  }
  const body: SecretObject = {
    ...current,
    metadata: {
      ...current.metadata,
      resourceVersion,
      labels: { ...(current.metadata?.labels ?? {}), [MANAGED_LABEL]: 'true' },
      annotations: withoutRevokedAt({
        ...(current.metadata?.annotations ?? {}),
        ...secretAnnotations(minted),
      }),
    },
    data,
  };
  // PUT with the resourceVersion read: the server answers 409 if anyone wrote in between.
  try {
    const replaced = await client.call(
      { verb: 'update', resource: 'secrets', namespace, name },
      (o) =>
        sendJson(client, 'PUT', `${secretsPath(namespace)}/${encodeURIComponent(name)}`, body, () =>
          (async () =>
            (await client.api('CoreV1Api')).replaceNamespacedSecret(
              { name, namespace, body: body as k8s.V1Secret },
              o,
            ))(),
        ),
    );
    return { destination, resourceVersion: replaced.metadata?.resourceVersion };
  } catch (err) {
    return onWriteError(err);
  }
}

/**
 * After a 409 that was not our own earlier attempt: a Secret created or changed since it was
 * read. Read again to say why: one that is now not ours (someone else's Secret of that name, one
 * holding another ServiceAccount's token) is refused as such, anything else is the conflict.
 * Never a second write: a conflict is reported, not overwritten.
 */
async function explainConflict(
  client: ClusterClient,
  err: unknown,
  namespace: string,
  name: string,
  minted: MintedToken,
): Promise<never> {
  if (!(err instanceof AccessTokensError && err.status === 409)) throw err;
  const now = await client
    .call({ verb: 'get', resource: 'secrets', namespace, name }, (o) =>
      readSecret(client, namespace, name, o),
    )
    .catch(() => undefined);
  const problem = now && tokenStoreProblem(now, namespace, name, minted.serviceAccount);
  if (problem) throw new AccessTokensError(problem, 'usage');
  throw err;
}

/**
 * A create or update is retried after a transient failure, but the failed attempt may have
 * been carried out: the retry then gets 409 from our own write. Such a 409 is success when the
 * Secret now holds our token; anything else (a single attempt, another token) is rethrown.
 */
async function storedByEarlierAttempt(
  client: ClusterClient,
  err: unknown,
  namespace: string,
  name: string,
  encodedToken: string,
): Promise<StoredToken> {
  if (!(err instanceof AccessTokensError && err.status === 409 && (err.attempts ?? 1) > 1))
    throw err;
  const now = await client.call({ verb: 'get', resource: 'secrets', namespace, name }, (o) =>
    readSecret(client, namespace, name, o),
  );
  if (now.data?.[TOKEN_SECRET_KEY] !== encodedToken) throw err;
  client.log.debug(`secret '${name}': 409 on a retry, and it holds our token: stored`);
  return {
    destination: `secret/${name} -n ${namespace}`,
    resourceVersion: now.metadata?.resourceVersion,
  };
}

/** Stores a minted token. `client` is needed for Secrets and kubeconfig output. */
export async function storeToken(
  client: ClusterClient,
  minted: MintedToken,
  dest: TokenDestination,
): Promise<StoredToken> {
  switch (dest.kind) {
    case 'secret':
      return storeInSecret(client, minted, dest);
    case 'kubeconfigFile': {
      const text = renderTokenKubeconfig(client.kc, minted.token, {
        namespace: minted.namespace,
        serviceAccount: minted.serviceAccount,
        contextName: dest.contextName,
      });
      await writeTokenFile(dest.path, text);
      return { destination: dest.path };
    }
    case 'tokenFile':
      await writeTokenFile(dest.path, `${minted.token}\n`);
      return { destination: dest.path };
    case 'stream':
      dest.write(
        dest.format === 'kubeconfig'
          ? renderTokenKubeconfig(client.kc, minted.token, {
              namespace: minted.namespace,
              serviceAccount: minted.serviceAccount,
            })
          : `${minted.token}\n`,
      );
      return { destination: 'stdout' };
  }
}
