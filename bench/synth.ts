/**
 * Synth cost of `ServiceAccountAccess` against the same objects written by hand, two ways:
 * with cdk8s-plus-27 (`kplus.ServiceAccount`, `kplus.Role` + `allow`, `kplus.RoleBinding`)
 * and with raw cdk8s `ApiObject`s. Each "access bundle" is a ServiceAccount, a Role with
 * three rules and a RoleBinding. Measures the process's CPU time (user + system) of building
 * the constructs and `app.synthYaml()` (which runs validation, so the least-privilege lint
 * is included), for N = 1,000 and 5,000, and prints medians, ranges, ratios and per-bundle
 * cost, in two app shapes: (1) one chart with every bundle in one namespace; (2) a chart per
 * 100 bundles (50 charts at N = 5,000), each bundle in a namespace of its own.
 *
 *   npm run build && node --expose-gc lib/bench/synth.js [--repeats 3] [--sizes 1000,5000] [--shapes 1,2]
 *
 * A script, not a test: it prints figures measured in one run and asserts nothing.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Permission, ServiceAccountAccess } from '../src/index.js';

const NAMESPACE = 'bench';

/** Builds bundles `from` to `to - 1` into `chart` one way, each in `namespace(i)`. */
type Variant = (chart: Chart, from: number, to: number, namespace: (i: number) => string) => void;

/**
 * Numbers the measured runs: every run names its bundles afresh (`app-<run>-<i>`), as each
 * `cdk8s synth` of a real app meets its names for the first time. With the same names in every
 * run, a memo kept across apps (the lint's, per distinct rule) would skip work in repeats that
 * a user's synth always does.
 */
let run = 0;

function name(i: number): string {
  return `app-${run}-${i}`;
}

/**
 * How an app is laid out: one chart holding every bundle in one namespace, or (as real
 * platforms are) a chart per team of `BUNDLES_PER_CHART` bundles, each bundle in a namespace
 * of its own.
 */
interface Shape {
  readonly label: string;
  /** The charts of an app of `n` bundles, and the namespace of bundle `i`. */
  build(app: App, n: number, variant: Variant): void;
}

const BUNDLES_PER_CHART = 100;

const SHAPES: readonly Shape[] = [
  {
    label: 'one chart, one namespace',
    build(app, n, variant) {
      const chart = new Chart(app, 'bench', {
        namespace: NAMESPACE,
        disableResourceNameHashes: true,
      });
      variant(chart, 0, n, () => NAMESPACE);
    },
  },
  {
    label: `charts of ${BUNDLES_PER_CHART}, namespace per bundle`,
    build(app, n, variant) {
      for (let from = 0; from < n; from += BUNDLES_PER_CHART) {
        const chart = new Chart(app, `team-${from / BUNDLES_PER_CHART}`, {
          disableResourceNameHashes: true,
        });
        variant(chart, from, Math.min(n, from + BUNDLES_PER_CHART), (i) => `tenant-${i}`);
      }
    },
  },
];

/** With the library: permissions, compaction, least-privilege validation at synth. */
const withServiceAccountAccess: Variant = (chart, from, to, namespace) => {
  for (let i = from; i < to; i++) {
    new ServiceAccountAccess(chart, name(i), {
      namespace: namespace(i),
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
const withCdk8sPlus: Variant = (chart, from, to, namespace) => {
  for (let i = from; i < to; i++) {
    const metadata = { name: name(i), namespace: namespace(i) };
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
const withApiObjects: Variant = (chart, from, to, namespace) => {
  for (let i = from; i < to; i++) {
    const metadata = { name: name(i), namespace: namespace(i) };
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
      subjects: [{ kind: 'ServiceAccount', name: name(i), namespace: namespace(i) }],
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
function measure(shape: Shape, variant: Variant, n: number): Sample {
  run++;
  (globalThis as { gc?: () => void }).gc?.();
  const start = process.cpuUsage();
  const app = new App({ outdir: '/nonexistent-bench-outdir' });
  shape.build(app, n, variant);
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

function report(shape: Shape, sizes: readonly number[], repeats: number): void {
  const medians = new Map<string, number>();
  const ranges = new Map<string, string>();
  for (const n of sizes) {
    const samples = new Map<string, number[]>(VARIANTS.map(([label]) => [label, []]));
    // Round-robin, so that heap growth and machine noise hit every variant alike.
    for (let r = 0; r < repeats; r++) {
      for (const [label, variant] of VARIANTS) {
        const sample = measure(shape, variant, n);
        if (sample.documents !== 3 * n) {
          throw new Error(
            `${label} synthesized ${sample.documents} documents for ${n} bundles, expected ${3 * n}`,
          );
        }
        samples.get(label)?.push(sample.cpuMs);
      }
    }
    for (const [label, values] of samples) {
      medians.set(`${label}@${n}`, median(values));
      ranges.set(
        `${label}@${n}`,
        `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`,
      );
    }
  }

  const widths = [24, 8, 13, 13, 12, 14, 14];
  const lines = [
    pad(
      ['variant', 'N', 'CPU ms (med)', 'range', 'µs/bundle', 'vs cdk8s-plus', 'vs ApiObject'],
      widths,
    ),
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
            ranges.get(`${label}@${n}`) ?? '',
            ((ms * 1000) / n).toFixed(1),
            `${(ms / plus).toFixed(2)}x`,
            `${(ms / raw).toFixed(2)}x`,
          ],
          widths,
        ),
      );
    }
  }
  console.log(`\n== ${shape.label}`);
  console.log(lines.join('\n'));
  if (sizes.length > 1) {
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    console.log(`linearity: µs/bundle at N=${large} / at N=${small} (1.00 = linear)`);
    for (const [label] of VARIANTS) {
      const a = (medians.get(`${label}@${small}`) ?? NaN) / small;
      const b = (medians.get(`${label}@${large}`) ?? NaN) / large;
      console.log(`  ${label.padEnd(24)} ${(b / a).toFixed(2)}`);
    }
  }
}

function main(): void {
  const sizes = argValue('--sizes', '1000,5000').split(',').map(Number);
  const repeats = Number(argValue('--repeats', '3'));
  const shapeIndexes = argValue('--shapes', SHAPES.map((_, i) => i + 1).join(','))
    .split(',')
    .map(Number);
  if (
    sizes.some((n) => !Number.isInteger(n) || n < 1) ||
    !Number.isInteger(repeats) ||
    repeats < 1 ||
    shapeIndexes.some((i) => !SHAPES[i - 1])
  ) {
    throw new Error(
      `--sizes must be positive integers, --repeats a positive integer and --shapes numbers from 1 to ${SHAPES.length}, got '${sizes.join(',')}', '${repeats}' and '${shapeIndexes.join(',')}'`,
    );
  }
  if (!(globalThis as { gc?: unknown }).gc)
    console.error('note: run with node --expose-gc for steadier figures');
  const shapes = shapeIndexes.map((i) => SHAPES[i - 1]);
  // Warm up the JIT on every path before measuring.
  for (const shape of shapes) for (const [, variant] of VARIANTS) measure(shape, variant, 200);

  console.log(
    `synth CPU time, median of ${repeats} (construct + app.synthYaml()), node ${process.version}`,
  );
  for (const shape of shapes) report(shape, sizes, repeats);
  console.log(
    '\ntargets: ServiceAccountAccess <= 1.00x cdk8s-plus-27 by hand in both shapes, linear in N',
  );
}

main();
