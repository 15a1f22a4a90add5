/**
 * Audit-log analysis speed and memory: `access-tokens audit report` and `audit rules` on a
 * generated, realistic audit log (kube-apiserver's JSON lines: many identities, verbs,
 * resources, namespaces, watches with two stages, impersonation, credential ids), against
 * bare line-by-line `JSON.parse` of the same file in the same run. Each measurement runs in a
 * child process of its own, so that its peak memory (maxRSS) is its own.
 *
 *   npm run build && node lib/bench/audit-log.js [--sizes 100,500,1000] [--repeats 1] [--dir /tmp]
 *
 * Sizes are in MB; the logs are generated into --dir (never into the repository) and deleted
 * after the run unless --keep. A script, not a test: it prints figures and asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MB = 1024 * 1024;

// ---------------------------------------------------------------- generator

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
  // Each ServiceAccount's app uses 2 to 6 kinds of resources.
  const profiles = serviceAccounts.map(() =>
    Array.from({ length: 2 + Math.floor(rand() * 5) }, () => resourceIndex()),
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
        [group, resource, sub, namespaced] =
          RESOURCES[profile[Math.floor(rand() * profile.length)]];
        // and now and then in a neighbouring team's namespace
        ns = namespaced ? (rand() < 0.97 ? own : namespaces[(index + 1) % namespaces.length]) : '';
      } else if (r < 0.8) {
        const index = Math.floor(rand() * users.length);
        username = users[index];
        groups = ['developers', 'system:authenticated'];
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
        username = pick([
          'system:kube-controller-manager',
          'system:kube-scheduler',
          'system:apiserver',
        ]);
        groups = ['system:authenticated'];
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
      const code =
        rand() < 0.03
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

// ---------------------------------------------------------------- measured children

type Mode = 'split' | 'parse' | 'observe' | 'aggregate' | 'report' | 'rules';

/** Runs one mode in this process and prints `{cpu, wall, maxRssMb}` as JSON. */
async function child(mode: Mode, file: string): Promise<void> {
  const { forEachLogLine } = await import('../src/runtime/audit/log-lines.js');
  const { main } = await import('../src/cli/main.js');
  const io = { stdout: () => undefined, stderr: (t: string) => void process.stderr.write(t) };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let check = 0;
  if (mode === 'split') {
    await forEachLogLine([file], (line) => {
      check += line.length;
    });
  } else if (mode === 'parse') {
    // The baseline: read line by line (the same reader) and JSON.parse each line, nothing else.
    await forEachLogLine([file], (line) => {
      check += (JSON.parse(line) as { verb: string }).verb.length;
    });
  } else if (mode === 'observe' || mode === 'aggregate') {
    // Where the time goes: parsing plus reading each event as a request, then plus aggregating.
    const { auditEventProblem, observedRequestOf } = await import('../src/rbac/audit-event.js');
    const { AuditUsage } = await import('../src/rbac/audit-usage.js');
    const usage = new AuditUsage();
    await forEachLogLine([file], (line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      if (mode === 'aggregate') usage.add(event);
      else if (!auditEventProblem(event)) check += observedRequestOf(event).verb.length;
    });
  } else if (mode === 'report') {
    check = await main(['audit', 'report', '--log', file, '-o', 'json'], io);
  } else {
    check = await main(
      ['audit', 'rules', '--log', file, '--service-account', 'team-7:deployer', '-o', 'code'],
      io,
    );
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  process.stdout.write(
    JSON.stringify({
      cpu: (cpu.user + cpu.system) / 1e6,
      wall,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      check,
    }),
  );
}

interface Measurement {
  cpu: number;
  wall: number;
  maxRssMb: number;
}

function measure(mode: Mode, file: string): Measurement {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, [self, '--child', mode, file], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (run.status !== 0) throw new Error(`${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Measurement;
}

const LABELS: Record<Mode, string> = {
  split: 'read + split lines only',
  parse: 'JSON.parse per line (baseline)',
  observe: '+ read events as requests',
  aggregate: '+ aggregate (no report)',
  report: 'audit report -o json (CLI)',
  rules: 'audit rules -o code (CLI)',
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function run(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as Mode, process.argv[4]);
  const sizes = arg('--sizes', '100').split(',').map(Number);
  const repeats = Number(arg('--repeats', '1'));
  const dir = arg('--dir', '/tmp');
  const keep = process.argv.includes('--keep');
  const modes: Mode[] = ['split', 'parse', 'observe', 'aggregate', 'report', 'rules'];
  console.log(
    `audit-log bench: sizes ${sizes.join(', ')} MB, ${repeats} repeat(s), node ${process.version}`,
  );
  const rows: string[][] = [];
  for (const size of sizes) {
    const file = join(dir, `access-tokens-audit-bench-${size}mb.log`);
    const g0 = performance.now();
    const { bytes, events } = generateAuditLog(file, size);
    console.log(
      `generated ${file}: ${(bytes / MB).toFixed(0)} MB, ${events} events, ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    const results = new Map<Mode, Measurement[]>(modes.map((m) => [m, []]));
    try {
      for (let r = 0; r < repeats; r++)
        for (const m of modes) results.get(m)!.push(measure(m, file));
    } finally {
      if (!keep) rmSync(file, { force: true });
    }
    const mb = bytes / MB;
    const summary = (m: Mode) => {
      const list = results.get(m)!;
      return {
        cpu: median(list.map((x) => x.cpu)),
        wall: median(list.map((x) => x.wall)),
        rss: Math.max(...list.map((x) => x.maxRssMb)),
      };
    };
    const base = summary('parse');
    for (const m of modes) {
      const s = summary(m);
      rows.push([
        `${size}`,
        LABELS[m],
        (mb / s.cpu).toFixed(1),
        (mb / s.wall).toFixed(1),
        `${((base.cpu / s.cpu) * 100).toFixed(0)}%`,
        s.rss.toFixed(0),
      ]);
    }
  }
  const header = ['MB', 'WHAT', 'MB/s (cpu)', 'MB/s (wall)', 'vs baseline (cpu)', 'peak RSS MB'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

if (
  process.argv[1] &&
  statSync(process.argv[1]).isFile() &&
  fileURLToPath(import.meta.url) === process.argv[1]
) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
