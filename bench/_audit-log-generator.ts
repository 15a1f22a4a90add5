/**
 * A realistic kube-apiserver audit log of a given size, seeded (the same file for the same
 * size), for bench/audit-log.ts.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const MB = 1024 * 1024;

/** A small seeded PRNG (mulberry32): the same log for the same size. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RESOURCES: [
  group: string,
  resource: string,
  sub: string,
  namespaced: boolean,
  weight: number,
][] = [
  ['', 'pods', '', true, 20],
  ['', 'pods', 'log', true, 3],
  ['', 'pods', 'status', true, 4],
  ['', 'configmaps', '', true, 10],
  ['', 'secrets', '', true, 6],
  ['', 'services', '', true, 5],
  ['', 'endpoints', '', true, 6],
  ['', 'events', '', true, 6],
  ['', 'serviceaccounts', '', true, 2],
  ['', 'serviceaccounts', 'token', true, 2],
  ['', 'nodes', '', false, 4],
  ['', 'namespaces', '', false, 2],
  ['apps', 'deployments', '', true, 8],
  ['apps', 'deployments', 'scale', true, 1],
  ['apps', 'replicasets', '', true, 4],
  ['coordination.k8s.io', 'leases', '', true, 6],
  ['rbac.authorization.k8s.io', 'rolebindings', '', true, 1],
  ['batch', 'jobs', '', true, 2],
  ['networking.k8s.io', 'ingresses', '', true, 1],
];
/** What the node authorizer lets kubelets touch. */
const NODE_RESOURCES = [0, 2, 3, 4, 10];
/** What each control-plane component works on (indices into RESOURCES). */
const CONTROLLERS: [name: string, resources: number[]][] = [
  ['system:kube-controller-manager', [0, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 17]],
  ['system:kube-scheduler', [0, 2, 7, 15]],
  ['system:apiserver', [6, 11, 15]],
];
const VERBS: [string, number][] = [
  ['get', 35],
  ['list', 18],
  ['watch', 12],
  ['update', 10],
  ['patch', 10],
  ['create', 8],
  ['delete', 5],
  ['deletecollection', 1],
];
const AGENTS = [
  'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
  'argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format',
  'kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/system:serviceaccount:kube-system:replicaset-controller',
  'Go-http-client/2.0',
  'helm/v3.14.2 (linux/amd64)',
  'node-fetch',
];

function weighted<T>(rand: () => number, items: [T, ...unknown[]][], weightAt: number): () => T {
  const total = items.reduce((n, i) => n + (i[weightAt] as number), 0);
  return () => {
    let r = rand() * total;
    for (const i of items) {
      r -= i[weightAt] as number;
      if (r < 0) return i[0];
    }
    return items[items.length - 1][0];
  };
}

/** Writes about `sizeMb` MB of audit events to `file`; returns the bytes and events written. */
export function generateAuditLog(
  file: string,
  sizeMb: number,
  seed = 42,
): { bytes: number; events: number } {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const namespaces = Array.from({ length: 40 }, (_, i) => `team-${i}`);
  const serviceAccounts = namespaces.flatMap((ns) =>
    ['deployer', 'app', 'worker', 'ci', 'metrics', 'backup'].map((n) => [ns, n] as const),
  );
  const users = Array.from({ length: 30 }, (_, i) => `user-${i}@example.com`);
  const nodes = Array.from({ length: 20 }, (_, i) => `node-${i}`);
  const resourceIndex = weighted(
    rand,
    RESOURCES.map((r, i) => [i, r[4]] as [number, number]),
    1,
  );
  // Each ServiceAccount's app uses 2 to 6 kinds of resources; one in eight also tries one it
  // is not granted (always denied), as a misconfigured app does. People use 3 to 8 kinds.
  const profiles = serviceAccounts.map(() =>
    Array.from({ length: 2 + Math.floor(rand() * 5) }, () => resourceIndex()),
  );
  const missing = serviceAccounts.map((_, i) => (i % 8 === 0 ? resourceIndex() : -1));
  const userProfiles = users.map(() =>
    Array.from({ length: 3 + Math.floor(rand() * 6) }, () => resourceIndex()),
  );
  const verb = weighted(rand, VERBS, 1);
  const fd = openSync(file, 'w');
  let bytes = 0;
  let events = 0;
  let batch: string[] = [];
  let batchBytes = 0;
  let time = Date.UTC(2026, 0, 1);
  try {
    while (bytes < sizeMb * MB) {
      time += Math.floor(rand() * 20);
      const r = rand();
      let username: string;
      let groups: string[];
      let forcedVerb: string | undefined;
      let denied = false;
      // Who acts where, as in a cluster: a ServiceAccount mostly in its own namespace on the
      // few resources its app uses; people anywhere; nodes and controllers on their own kinds.
      let [group, resource, sub, namespaced] = RESOURCES[resourceIndex()];
      let ns = namespaced ? pick(namespaces) : '';
      if (r < 0.6) {
        const index = Math.floor(rand() * serviceAccounts.length);
        const [own, n] = serviceAccounts[index];
        username = `system:serviceaccount:${own}:${n}`;
        groups = [
          'system:serviceaccounts',
          `system:serviceaccounts:${own}`,
          'system:authenticated',
        ];
        const profile = profiles[index];
        denied = missing[index] >= 0 && rand() < 0.05;
        [group, resource, sub, namespaced] =
          RESOURCES[denied ? missing[index] : profile[Math.floor(rand() * profile.length)]];
        // and now and then in a neighbouring team's namespace
        ns = namespaced ? (rand() < 0.97 ? own : namespaces[(index + 1) % namespaces.length]) : '';
      } else if (r < 0.8) {
        const index = Math.floor(rand() * users.length);
        username = users[index];
        groups = ['developers', 'system:authenticated'];
        const profile = userProfiles[index];
        [group, resource, sub, namespaced] =
          RESOURCES[profile[Math.floor(rand() * profile.length)]];
        // Now and then someone tries what they may not do.
        denied = rand() < 0.02;
        // People work in the few namespaces of their team.
        ns = namespaced ? namespaces[(index * 3 + Math.floor(rand() * 3)) % namespaces.length] : '';
      } else if (r < 0.9) {
        username = `system:node:${pick(nodes)}`;
        groups = ['system:nodes', 'system:authenticated'];
        [group, resource, sub, namespaced] = RESOURCES[pick(NODE_RESOURCES)];
        // Kubelets list and watch cluster-wide, and read their pods' objects by name.
        ns = namespaced && rand() < 0.5 ? pick(namespaces) : '';
        forcedVerb = ns ? 'get' : pick(['list', 'watch']);
      } else {
        const [controller, resources] = pick(CONTROLLERS);
        username = controller;
        groups = ['system:authenticated'];
        [group, resource, sub, namespaced] = RESOURCES[pick(resources)];
        ns = namespaced ? pick(namespaces) : '';
        // Controllers watch everything cluster-wide and write in namespaces.
        forcedVerb = rand() < 0.5 ? pick(['list', 'watch']) : undefined;
        if (forcedVerb) ns = '';
      }
      const v = sub === 'token' ? 'create' : (forcedVerb ?? verb());
      const nameless = v === 'list' || v === 'watch' || v === 'deletecollection';
      const name = nameless
        ? ''
        : resource === 'nodes'
          ? pick(nodes)
          : `${resource.slice(0, 6)}-${Math.floor(rand() * 400)}`;
      const code = denied
        ? 403
        : rand() < 0.05
          ? 404
          : v === 'create'
            ? 201
            : rand() < 0.01
              ? 409
              : 200;
      const uri = `${group ? `/apis/${group}/v1` : '/api/v1'}${ns ? `/namespaces/${ns}` : ''}/${resource}${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}${nameless ? '?limit=500&resourceVersion=0' : ''}`;
      const ts = new Date(time).toISOString().replace('Z', '000Z');
      const stages = v === 'watch' ? ['ResponseStarted', 'ResponseComplete'] : ['ResponseComplete'];
      const auditID = `${(time % 0xffffffff).toString(16).padStart(8, '0')}-${Math.floor(
        rand() * 0xffff,
      )
        .toString(16)
        .padStart(4, '0')}-4${Math.floor(rand() * 0xfff)
        .toString(16)
        .padStart(3, '0')}-a${Math.floor(rand() * 0xfff)
        .toString(16)
        .padStart(3, '0')}-${Math.floor(rand() * 0xffffffffffff)
        .toString(16)
        .padStart(12, '0')}`;
      const impersonate = rand() < 0.02;
      const credential = username.startsWith('system:serviceaccount:') && rand() < 0.5;
      for (const stage of stages) {
        const event = {
          kind: 'Event',
          apiVersion: 'audit.k8s.io/v1',
          level: 'Metadata',
          auditID,
          stage,
          requestURI: uri,
          verb: v,
          user: {
            username: impersonate ? 'admin@example.com' : username,
            uid: `${Math.floor(rand() * 1e9)}`,
            groups: impersonate ? ['system:masters', 'system:authenticated'] : groups,
            ...(credential
              ? {
                  extra: {
                    'authentication.kubernetes.io/credential-id': [
                      `JTI=${Math.floor(rand() * 5000).toString(16)}-token`,
                    ],
                    'authentication.kubernetes.io/pod-name': [`pod-${Math.floor(rand() * 300)}`],
                  },
                }
              : {}),
          },
          ...(impersonate ? { impersonatedUser: { username, groups } } : {}),
          sourceIPs: [
            `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
          ],
          userAgent: pick(AGENTS),
          objectRef: {
            resource,
            ...(ns ? { namespace: ns } : {}),
            ...(name ? { name } : {}),
            ...(group ? { apiGroup: group } : {}),
            apiVersion: 'v1',
            ...(sub ? { subresource: sub } : {}),
          },
          responseStatus:
            code >= 400
              ? {
                  metadata: {},
                  status: 'Failure',
                  reason: code === 403 ? 'Forbidden' : 'NotFound',
                  code,
                }
              : { metadata: {}, code },
          requestReceivedTimestamp: ts,
          stageTimestamp: ts,
          annotations: {
            'authorization.k8s.io/decision': code === 403 ? 'forbid' : 'allow',
            'authorization.k8s.io/reason':
              code === 403
                ? ''
                : `RBAC: allowed by RoleBinding "${resource}-access/${ns || 'cluster'}" of Role "${resource}-access" to ServiceAccount "${username}"`,
          },
        };
        const line = `${JSON.stringify(event)}\n`;
        batch.push(line);
        batchBytes += line.length;
        events++;
      }
      if (batchBytes > 4 * MB) {
        const chunk = batch.join('');
        bytes += writeSync(fd, chunk);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length) bytes += writeSync(fd, batch.join(''));
  } finally {
    closeSync(fd);
  }
  return { bytes, events };
}
