/**
 * `legacy scan` and `legacy plan` against a cluster: reads the legacy token Secrets (never
 * their data), the pods that may use them and the RBAC objects, and hands them to the same
 * pure analysis that reads manifests.
 */
import type { KubeObject } from '../rbac/kube-object.js';
import { planLegacyTokens, type LegacyPlan } from '../rbac/legacy-plan.js';
import type { LegacyToken } from '../rbac/legacy-tokens.js';
import { LEGACY_TOKEN_SECRET_TYPE } from '../rbac/risks/legacy-token-secret.js';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessTokensError } from './errors.js';

/** Options of `scanClusterLegacyTokens`. */
export interface LegacyScanOptions extends ClusterOptions {
  /**
   * Scan every namespace instead of one.
   * @default false
   */
  readonly allNamespaces?: boolean;
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** What a scan found. */
export interface LegacyScanResult {
  /** Every legacy token Secret, with the pods that use it and what to do. */
  readonly tokens: readonly LegacyToken[];
  /** A replacement per ServiceAccount that has a legacy token. */
  readonly plans: readonly LegacyPlan[];
  /** What could not be read (forbidden), so the plans may grant less than the account has. */
  readonly incomplete: readonly string[];
}

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';

/** A listed item as a manifest object: list items carry no kind, and Secrets lose their data. */
function asObject(apiVersion: string, kind: string, item: object): KubeObject {
  const rest: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  delete rest.data;
  delete rest.stringData;
  return JSON.parse(JSON.stringify({ ...rest, apiVersion, kind })) as KubeObject;
}

/**
 * Scans a cluster (one namespace, or all) for legacy ServiceAccount token Secrets. Needs
 * `list secrets` and `list pods` there; RBAC objects it may not list leave its plans
 * incomplete, said in `incomplete`.
 */
export async function scanClusterLegacyTokens(
  options: LegacyScanOptions = {},
): Promise<LegacyScanResult> {
  const client = options.client ?? connect(options);
  const namespace = options.namespace ?? client.namespace;
  const all = options.allNamespaces === true;
  const core = await client.api('CoreV1Api');
  const rbac = await client.api('RbacAuthorizationV1Api');
  const incomplete: string[] = [];
  const scope = all ? {} : { namespace };
  const optional = async <T extends { items: object[] }>(
    what: string,
    fn: () => Promise<T>,
  ): Promise<object[]> => {
    try {
      return (await fn()).items;
    } catch (err) {
      if (err instanceof AccessTokensError && err.category === 'forbidden') {
        incomplete.push(`${what}: ${err.message}`);
        return [];
      }
      throw err;
    }
  };
  const fieldSelector = `type=${LEGACY_TOKEN_SECRET_TYPE}`;
  const rbacAction = (resource: string) => ({
    verb: 'list',
    resource,
    apiGroup: 'rbac.authorization.k8s.io',
  });
  const [secrets, pods, roles, roleBindings, clusterRoles, clusterRoleBindings] = await Promise.all(
    [
      client.call({ verb: 'list', resource: 'secrets', ...scope }, (o) =>
        all
          ? core.listSecretForAllNamespaces({ fieldSelector }, o)
          : core.listNamespacedSecret({ namespace, fieldSelector }, o),
      ),
      client.call({ verb: 'list', resource: 'pods', ...scope }, (o) =>
        all ? core.listPodForAllNamespaces({}, o) : core.listNamespacedPod({ namespace }, o),
      ),
      optional('roles', () =>
        client.call(rbacAction('roles'), (o) => rbac.listRoleForAllNamespaces({}, o)),
      ),
      optional('rolebindings', () =>
        client.call(rbacAction('rolebindings'), (o) => rbac.listRoleBindingForAllNamespaces({}, o)),
      ),
      optional('clusterroles', () =>
        client.call(rbacAction('clusterroles'), (o) => rbac.listClusterRole({}, o)),
      ),
      optional('clusterrolebindings', () =>
        client.call(rbacAction('clusterrolebindings'), (o) => rbac.listClusterRoleBinding({}, o)),
      ),
    ],
  );
  const objects = [
    ...secrets.items.map((s) => asObject('v1', 'Secret', s)),
    ...pods.items.map((p) => asObject('v1', 'Pod', p)),
    ...roles.map((r) => asObject(RBAC_V1, 'Role', r)),
    ...roleBindings.map((r) => asObject(RBAC_V1, 'RoleBinding', r)),
    ...clusterRoles.map((r) => asObject(RBAC_V1, 'ClusterRole', r)),
    ...clusterRoleBindings.map((r) => asObject(RBAC_V1, 'ClusterRoleBinding', r)),
  ];
  return { ...planLegacyTokens(objects, namespace), incomplete: incomplete.sort() };
}
