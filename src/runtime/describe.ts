/**
 * `describe`: a ServiceAccount as the cluster sees it. The reads are here: the ServiceAccount,
 * the RoleBindings of every namespace (not only its own) and ClusterRoleBindings, the roles the
 * applying bindings name, and the Secrets of its namespace; `describe-summary.ts` turns them
 * into the description (bindings, effective rules, stored tokens, lint findings).
 */
import type * as k8s from '@kubernetes/client-node';
import type { PolicyRule } from '../rbac/policy-rule.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import {
  bindingsThatApply,
  roleOf,
  summarizeServiceAccount,
  type RoleRead,
  type ServiceAccountDescription,
} from './describe-summary.js';
import {
  EXPIRES_AT_ANNOTATION,
  MANAGED_LABEL,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_SECRET_KEY,
} from '../contract/token-declaration.js';
import { AccessTokensError } from './errors.js';
import { reviewToken } from './review.js';
import type { SecretObject } from './read-objects.js';

/** Options of `describeServiceAccount`. */
export interface DescribeOptions extends ClusterOptions {
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** Describes a ServiceAccount. */
export async function describeServiceAccount(
  name: string,
  options: DescribeOptions = {},
): Promise<ServiceAccountDescription> {
  const client = options.client ?? connect(options);
  const namespace = options.namespace ?? client.namespace;
  const core = await client.api('CoreV1Api');
  const rbac = await client.api('RbacAuthorizationV1Api');
  const incomplete: string[] = [];
  const optional = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (
        err instanceof AccessTokensError &&
        (err.category === 'forbidden' || err.category === 'not-found')
      ) {
        incomplete.push(`${what}: ${err.message}`);
        return undefined;
      }
      throw err;
    }
  };
  const sa = await client.call({ verb: 'get', resource: 'serviceaccounts', namespace, name }, (o) =>
    core.readNamespacedServiceAccount({ name, namespace }, o),
  );
  // A RoleBinding of any namespace may name it; a caller that may list them only in the
  // ServiceAccount's namespace still gets those, and is told what was not checked.
  const listRoleBindings = async (): Promise<k8s.V1RoleBindingList | undefined> => {
    const action = {
      verb: 'list',
      resource: 'rolebindings',
      apiGroup: 'rbac.authorization.k8s.io',
    };
    try {
      return await client.call(action, (o) => rbac.listRoleBindingForAllNamespaces({}, o));
    } catch (err) {
      if (!(err instanceof AccessTokensError && err.category === 'forbidden')) throw err;
      incomplete.push(
        `rolebindings of other namespaces than '${namespace}' not checked: ${err.message}`,
      );
      return optional('rolebindings', () =>
        client.call({ ...action, namespace }, (o) =>
          rbac.listNamespacedRoleBinding({ namespace }, o),
        ),
      );
    }
  };
  const [roleBindings, clusterRoleBindings, secrets] = await Promise.all([
    listRoleBindings(),
    optional('clusterrolebindings', () =>
      client.call(
        { verb: 'list', resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io' },
        (o) => rbac.listClusterRoleBinding({}, o),
      ),
    ),
    optional('secrets', () =>
      client.call({ verb: 'list', resource: 'secrets', namespace }, (o) =>
        core.listNamespacedSecret({ namespace }, o),
      ),
    ),
  ]);
  // Each role is read once, however many bindings name it, and all reads run at once.
  const applying = bindingsThatApply(
    namespace,
    name,
    roleBindings?.items,
    clusterRoleBindings?.items,
  );
  const wanted = new Map(applying.map((b) => roleOf(b)).map((r) => [roleReadKey(r), r]));
  const roles = await Promise.all([...wanted.values()].map((r) => readRole(client, r, optional)));
  const tokenReviews = await reviewStoredTokens(client, name, secrets?.items ?? [], incomplete);
  return summarizeServiceAccount({
    namespace,
    name,
    serviceAccount: sa,
    ...(roleBindings ? { roleBindings: roleBindings.items } : {}),
    ...(clusterRoleBindings ? { clusterRoleBindings: clusterRoleBindings.items } : {}),
    roles: roles.filter((r): r is RoleRead => r !== undefined),
    ...(secrets ? { secrets: secrets.items } : {}),
    incomplete,
    tokenReviews,
  });
}

/**
 * Asks the API server (TokenReview) about each unexpired token stored for the ServiceAccount:
 * a token whose bound Secret was deleted, or whose ServiceAccount was recreated, is dead
 * although its Secret says nothing. A caller that may not create TokenReviews gets `unknown`.
 */
async function reviewStoredTokens(
  client: ClusterClient,
  name: string,
  secrets: readonly SecretObject[],
  incomplete: string[],
): Promise<Map<string, boolean>> {
  const reviews = new Map<string, boolean>();
  const now = Date.now();
  const stores = secrets.filter((s) => {
    const annotations = s.metadata?.annotations ?? {};
    const expiresAt = annotations[EXPIRES_AT_ANNOTATION];
    return (
      s.metadata?.labels?.[MANAGED_LABEL] === 'true' &&
      annotations[SERVICE_ACCOUNT_ANNOTATION] === name &&
      s.data?.[TOKEN_SECRET_KEY] !== undefined &&
      !(expiresAt && Date.parse(expiresAt) <= now)
    );
  });
  let forbidden: string | undefined;
  await Promise.all(
    stores.map(async (s) => {
      const token = Buffer.from(s.data![TOKEN_SECRET_KEY], 'base64').toString('utf8');
      try {
        reviews.set(s.metadata?.name ?? '', (await reviewToken(token, { client })).authenticated);
      } catch (err) {
        if (!(err instanceof AccessTokensError && err.category === 'forbidden')) throw err;
        forbidden = err.message;
      }
    }),
  );
  if (forbidden) incomplete.push(`stored tokens not checked with a TokenReview: ${forbidden}`);
  return reviews;
}

function roleReadKey(r: { kind: string; name: string; namespace: string }): string {
  return r.kind === 'Role' ? `Role ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

/** Reads a Role or ClusterRole; undefined (and noted as incomplete) when it cannot be read. */
async function readRole(
  client: ClusterClient,
  ref: { kind: string; name: string; namespace: string },
  optional: <T>(what: string, fn: () => Promise<T>) => Promise<T | undefined>,
): Promise<RoleRead | undefined> {
  const rbac = await client.api('RbacAuthorizationV1Api');
  const { kind, name: roleName, namespace: ns } = ref;
  const role =
    kind === 'Role'
      ? await optional(`role ${ns}/${roleName}`, () =>
          client.call(
            {
              verb: 'get',
              resource: 'roles',
              apiGroup: 'rbac.authorization.k8s.io',
              namespace: ns,
              name: roleName,
            },
            (o) => rbac.readNamespacedRole({ name: roleName, namespace: ns }, o),
          ),
        )
      : await optional(`clusterrole ${roleName}`, () =>
          client.call(
            {
              verb: 'get',
              resource: 'clusterroles',
              apiGroup: 'rbac.authorization.k8s.io',
              name: roleName,
            },
            (o) => rbac.readClusterRole({ name: roleName }, o),
          ),
        );
  return role ? { ...ref, rules: (role.rules ?? []) as PolicyRule[] } : undefined;
}
