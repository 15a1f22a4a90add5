/**
 * A stand-in API server for the runtime's Secret-store paths (mint --from, rotate --from):
 * it holds Secrets by namespace, answers like the API server would (404, 409 on a stale
 * resourceVersion), and records every request. The real server is in test/e2e/.
 */
import type * as k8s from '@kubernetes/client-node';
import type { ApiAction } from '../src/runtime/api-action.js';
import { toAccessTokensError } from '../src/runtime/api-errors.js';
import type { ClusterClient } from '../src/runtime/cluster.js';
import type { TokenDeclaration } from '../src/contract/token-declaration.js';
import type { DeclaredToken } from '../src/runtime/manifests.js';

/** A declared 1-hour token of `namespace/serviceAccount` stored in Secret `secret`. */
export const secretStoreToken = (
  namespace: string,
  serviceAccount: string,
  secret: string,
  extra: Partial<TokenDeclaration> = {},
): DeclaredToken =>
  ({
    namespace,
    serviceAccount,
    source: 'test',
    declaration: {
      version: 1,
      durationSeconds: 3600,
      audiences: [],
      store: { kind: 'secret', name: secret },
      boundToSecret: false,
      ...extra,
    },
  }) as DeclaredToken;

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

/** An unsigned ServiceAccount token of `namespace/name`, issued at `iat`, expiring at `exp`. */
export const jwtFor = (
  namespace: string,
  name: string,
  iat = 4102441200,
  exp = 4102444800,
): string =>
  [
    b64({ alg: 'RS256' }),
    b64({
      aud: ['https://kubernetes.default.svc'],
      exp,
      iat,
      sub: `system:serviceaccount:${namespace}:${name}`,
      'kubernetes.io': { namespace, serviceaccount: { name, uid: `uid-${name}` } },
    }),
    'c2lnbmF0dXJl',
  ].join('.');

export const store = (
  name: string,
  rv: string,
  extra: Partial<k8s.V1Secret> = {},
): k8s.V1Secret => ({
  type: 'access-tokens.cdk8s.io/token',
  metadata: {
    name,
    resourceVersion: rv,
    labels: { 'access-tokens.cdk8s.io/managed': 'true' },
  },
  ...extra,
});

/** A stand-in API server holding `secrets` (by namespace), recording every request. */
export function recordingClient(
  secrets: Record<string, k8s.V1Secret[]>,
  options: { listForbidden?: boolean } = {},
) {
  const requests: string[] = [];
  const httpError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
  const find = (namespace: string, name: string) =>
    (secrets[namespace] ?? []).find((s) => s.metadata?.name === name);
  const core = {
    listNamespacedSecret: async (req: { namespace: string; labelSelector?: string }) => {
      requests.push(`list secrets -n ${req.namespace} -l ${req.labelSelector}`);
      if (options.listForbidden) throw httpError(403);
      return {
        items: (secrets[req.namespace] ?? []).filter(
          (s) => s.metadata?.labels?.['access-tokens.cdk8s.io/managed'] === 'true',
        ),
      };
    },
    readNamespacedSecret: async (req: { namespace: string; name: string }) => {
      requests.push(`get secret ${req.namespace}/${req.name}`);
      const found = find(req.namespace, req.name);
      if (!found) throw httpError(404);
      return found;
    },
    createNamespacedServiceAccountToken: async (req: { namespace: string; name: string }) => {
      requests.push(`create token ${req.namespace}/${req.name}`);
      return { status: { token: jwtFor(req.namespace, req.name) } };
    },
    createNamespacedSecret: async (req: { namespace: string; body: k8s.V1Secret }) => {
      const name = req.body.metadata?.name ?? '';
      requests.push(`create secret ${req.namespace}/${name}`);
      if (find(req.namespace, name)) throw httpError(409);
      return { ...req.body, metadata: { ...req.body.metadata, resourceVersion: '1' } };
    },
    replaceNamespacedSecret: async (req: {
      namespace: string;
      name: string;
      body: k8s.V1Secret;
    }) => {
      requests.push(
        `replace secret ${req.namespace}/${req.name} at ${req.body.metadata?.resourceVersion}`,
      );
      const found = find(req.namespace, req.name);
      if (!found) throw httpError(404);
      if (found.metadata?.resourceVersion !== req.body.metadata?.resourceVersion)
        throw httpError(409);
      return { ...req.body, metadata: { ...req.body.metadata, resourceVersion: 'next' } };
    },
  };
  return { client: standInClient(core, 'default'), requests };
}

/**
 * A ClusterClient whose API calls go to `core` (client-node's method names), with the errors
 * `call` gives. Its configuration has no cluster, so the runtime's `node:https` path stands
 * aside and every request reaches `core`.
 */
export function standInClient(core: object, namespace: string): ClusterClient {
  return {
    namespace,
    retry: {},
    kc: { getCurrentCluster: () => undefined, getCurrentUser: () => undefined },
    log: { debug: () => undefined, warn: () => undefined },
    api: () => core,
    call: (action: ApiAction, fn: (o: unknown) => Promise<unknown>) =>
      fn({}).catch((err: unknown) => {
        throw toAccessTokensError(err, action);
      }),
  } as unknown as ClusterClient;
}
