/**
 * `automounted-token`: a ServiceAccount, Pod or pod template that lets the kubelet mount the
 * ServiceAccount's token into every container.
 */
import type { KubeObject } from '../kube-object.js';
import { findingOf, type ObjectCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `automounted-token`. */
export const AUTOMOUNTED_TOKEN: RiskRuleInfo = {
  id: 'automounted-token',
  severity: 'warning',
  title: 'automounted token',
  scope: 'object',
  explanation:
    "an automounted token sits in every container of the pod whether or not it talks to the API server, so any file-read or code-execution bug in the pod leaks the ServiceAccount's permissions",
  fix: 'set automountServiceAccountToken: false on the ServiceAccount (or the pod); a pod that needs the API gets a projected serviceAccountToken volume with an audience and a short expirationSeconds',
};

/** The part of a pod spec (or pod template spec) that decides whether a token is mounted. */
export interface PodSpec {
  /** Whether the pod mounts its ServiceAccount's token (the ServiceAccount's setting when unset). */
  readonly automountServiceAccountToken?: boolean;
  /** The pod's ServiceAccount. */
  readonly serviceAccountName?: string;
  /** The deprecated alias of `serviceAccountName`. */
  readonly serviceAccount?: string;
}

type Untyped = { readonly [key: string]: unknown } | undefined;

function at(value: unknown, ...path: string[]): Untyped {
  let current = value as Untyped;
  for (const key of path) current = current?.[key] as Untyped;
  return current;
}

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The pod spec of a Pod or of a workload's pod template, if the object has one. */
export function podSpecOf(object: KubeObject): PodSpec | undefined {
  const path = object.kind ? POD_SPEC_PATHS[object.kind] : undefined;
  return path ? (at(object, ...path) as PodSpec | undefined) : undefined;
}

const serviceAccountsCache = new WeakMap<readonly KubeObject[], Map<string, KubeObject>>();

/** The first ServiceAccount of that namespace and name; the index is built once per list. */
function findServiceAccount(
  objects: readonly KubeObject[],
  namespace: string,
  name: string,
): KubeObject | undefined {
  let byKey = serviceAccountsCache.get(objects);
  if (!byKey) {
    byKey = new Map();
    for (const o of objects) {
      const key = `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
      if (o.kind === 'ServiceAccount' && !byKey.has(key)) byKey.set(key, o);
    }
    serviceAccountsCache.set(objects, byKey);
  }
  return byKey.get(`${namespace}/${name}`);
}

/**
 * Reports a ServiceAccount that does not set `automountServiceAccountToken: false`, and a Pod
 * or pod template that mounts a token: it sets `true`, or leaves it unset while its
 * ServiceAccount (looked up in `context.objects`, same namespace) does not set `false`.
 */
export const automountedToken: ObjectCheck = (object, context) => {
  if (object.kind === 'ServiceAccount' && object.apiVersion === 'v1') {
    if (object.automountServiceAccountToken === false) return [];
    const message = `serviceaccount '${object.metadata?.name ?? ''}' does not set automountServiceAccountToken: false`;
    return [findingOf(AUTOMOUNTED_TOKEN, message, context)];
  }
  const spec = podSpecOf(object);
  if (!spec || spec.automountServiceAccountToken === false) return [];
  const where = object.kind === 'Pod' ? 'pod' : `pod template of ${object.kind?.toLowerCase()}`;
  const name = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
  if (spec.automountServiceAccountToken === true) {
    const message = `${where} sets automountServiceAccountToken: true, mounting the token of serviceaccount '${name}'`;
    return [findingOf(AUTOMOUNTED_TOKEN, message, context)];
  }
  const account = findServiceAccount(context.objects, object.metadata?.namespace ?? '', name);
  if (account?.automountServiceAccountToken === false) return [];
  const why = account
    ? 'neither sets'
    : 'the serviceaccount is not in the manifests and the pod does not set';
  const message = `${where} mounts the token of serviceaccount '${name}': ${why} automountServiceAccountToken: false`;
  return [findingOf(AUTOMOUNTED_TOKEN, message, context)];
};
