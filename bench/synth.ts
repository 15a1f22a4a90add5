/**
 * Synth cost of `ServiceAccountAccess` against the same objects written by hand, two ways:
 * with cdk8s-plus-27 (`kplus.ServiceAccount`, `kplus.Role` + `allow`, `kplus.RoleBinding`)
 * and with raw cdk8s `ApiObject`s. Each "access bundle" is a ServiceAccount, a Role with
 * three rules and a RoleBinding. Measures the process's CPU time (user + system) of building
 * the constructs and `app.synthYaml()` (which runs validation, so the least-privilege lint
 * is included), for N = 1,000 and 5,000, and prints medians, ratios and per-bundle cost.
 *
 *   npm run build && node --expose-gc lib/bench/synth.js [--repeats 3] [--sizes 1000,5000]
 *
 * A script, not a test: it prints figures measured in one run and asserts nothing.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Permission, ServiceAccountAccess } from '../src/index.js';

const NAMESPACE = 'bench';

/** Builds `n` bundles into `chart` one way. */
type Variant = (chart: Chart, n: number) => void;

function name(i: number): string {
  return `app-${i}`;
}

/** With the library: permissions, compaction, least-privilege validation at synth. */
const withServiceAccountAccess: Variant = (chart, n) => {
  for (let i = 0; i < n; i++) {
    new ServiceAccountAccess(chart, name(i), {
      permissions: [
        Permission.read(kplus.ApiResource.PODS),
        Permission.verbs(['get'], 'pods/log'),
        Permission.verbs(['get', 'patch'], 'deployments.apps', name(i)),
      ],
    });
  }
};

const POD_LOGS = kplus.ApiResource.custom({ apiGroup: '', resourceType: 'pods/log' });

/** The same objects written by hand with cdk8s-plus-27. */
const withCdk8sPlus: Variant = (chart, n) => {
  for (let i = 0; i < n; i++) {
    const metadata = { name: name(i), namespace: NAMESPACE };
    const scope = new Construct(chart, name(i));
    const sa = new kplus.ServiceAccount(scope, 'ServiceAccount', {
      metadata,
      automountToken: false,
    });
    const role = new kplus.Role(scope, 'Role', { metadata });
    role.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS);
    role.allow(['get'], POD_LOGS);
    // A plain IApiResource with a name, as a cdk8s-plus Deployment would be.
    role.allow(['get', 'patch'], {
      apiGroup: 'apps',
      resourceType: 'deployments',
      resourceName: name(i),
    });
    const binding = new kplus.RoleBinding(scope, 'RoleBinding', { metadata, role });
    binding.addSubjects(sa);
  }
};

/** The same objects as raw `ApiObject`s: the floor. */
const withApiObjects: Variant = (chart, n) => {
  for (let i = 0; i < n; i++) {
    const metadata = { name: name(i), namespace: NAMESPACE };
    new ApiObject(chart, `${name(i)}-sa`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata,
      automountServiceAccountToken: false,
    });
    new ApiObject(chart, `${name(i)}-role`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        {
          apiGroups: ['apps'],
          resources: ['deployments'],
          resourceNames: [name(i)],
          verbs: ['get', 'patch'],
        },
      ],
    });
    new ApiObject(chart, `${name(i)}-rb`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: name(i) },
      subjects: [{ kind: 'ServiceAccount', name: name(i), namespace: NAMESPACE }],
    });
  }
};

const VARIANTS: readonly (readonly [string, Variant])[] = [
  ['ServiceAccountAccess', withServiceAccountAccess],
  ['cdk8s-plus-27 by hand', withCdk8sPlus],
  ['raw ApiObject', withApiObjects],
];

interface Sample {
  readonly cpuMs: number;
  readonly documents: number;
}

/** One measured run: construct + synthYaml, in CPU milliseconds. */
function measure(variant: Variant, n: number): Sample {
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.cpuUsage();
  const app = new App({ outdir: '/nonexistent-bench-outdir' });
  const chart = new Chart(app, 'bench', { namespace: NAMESPACE, disableResourceNameHashes: true });
  variant(chart, n);
  const yaml = app.synthYaml();
  const used = process.cpuUsage(start);
  const documents = yaml.split('\n---\n').length;
  return { cpuMs: (used.user + used.system) / 1000, documents };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function argValue(flag: string, fallback: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

function main(): void {
  const sizes = argValue('--sizes', '1000,5000').split(',').map(Number);
  const repeats = Number(argValue('--repeats', '3'));
  if (
    sizes.some((n) => !Number.isInteger(n) || n < 1) ||
    !Number.isInteger(repeats) ||
    repeats < 1
  ) {
    throw new Error(
      `--sizes must be positive integers and --repeats a positive integer, got '${sizes.join(',')}' and '${repeats}'`,
    );
  }
  if (!(globalThis as { gc?: unknown }).gc)
    console.error('note: run with node --expose-gc for steadier figures');
  // Warm up the JIT on every path before measuring.
  for (const [, variant] of VARIANTS) measure(variant, 100);

  const medians = new Map<string, number>();
  for (const n of sizes) {
    const samples = new Map<string, number[]>(VARIANTS.map(([label]) => [label, []]));
    // Round-robin, so that heap growth and machine noise hit every variant alike.
    for (let r = 0; r < repeats; r++) {
      for (const [label, variant] of VARIANTS) {
        const sample = measure(variant, n);
        if (sample.documents !== 3 * n) {
          throw new Error(
            `${label} synthesized ${sample.documents} documents for ${n} bundles, expected ${3 * n}`,
          );
        }
        samples.get(label)?.push(sample.cpuMs);
      }
    }
    for (const [label, values] of samples) medians.set(`${label}@${n}`, median(values));
  }

  const widths = [24, 8, 13, 12, 14, 14];
  const lines = [
    pad(['variant', 'N', 'CPU ms (med)', 'µs/bundle', 'vs cdk8s-plus', 'vs ApiObject'], widths),
  ];
  for (const n of sizes) {
    const plus = medians.get(`cdk8s-plus-27 by hand@${n}`) ?? NaN;
    const raw = medians.get(`raw ApiObject@${n}`) ?? NaN;
    for (const [label] of VARIANTS) {
      const ms = medians.get(`${label}@${n}`) ?? NaN;
      lines.push(
        pad(
          [
            label,
            String(n),
            ms.toFixed(0),
            ((ms * 1000) / n).toFixed(1),
            `${(ms / plus).toFixed(2)}x`,
            `${(ms / raw).toFixed(2)}x`,
          ],
          widths,
        ),
      );
    }
  }
  console.log(
    `synth CPU time, median of ${repeats} (construct + app.synthYaml()), node ${process.version}`,
  );
  console.log(lines.join('\n'));
  if (sizes.length > 1) {
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    console.log(`\nlinearity: µs/bundle at N=${large} / at N=${small} (1.00 = linear)`);
    for (const [label] of VARIANTS) {
      const a = (medians.get(`${label}@${small}`) ?? NaN) / small;
      const b = (medians.get(`${label}@${large}`) ?? NaN) / large;
      console.log(`  ${label.padEnd(24)} ${(b / a).toFixed(2)}`);
    }
  }
  console.log(
    '\ntargets: ServiceAccountAccess <= 1.00x cdk8s-plus-27 by hand, <= 1.30x raw ApiObject, linear in N',
  );
}

main();
