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
 *   npm run build && node --expose-gc lib/bench/synth.js [--repeats 3] [--sizes 1000,5000] [--shapes 1,2] [--warmup 2000] [--cold]
 *
 * In one process, after every variant has been warmed up on `--warmup` bundles per shape (so
 * that the JIT has compiled each path: module loading and compilation are not measured). With
 * `--cold`, each measurement is a fresh process that loads only what its variant needs and
 * synthesizes once, as `cdk8s synth` does: its whole CPU time (node's start, module loading,
 * compilation, construct + synth) and the construct + synth part alone.
 *
 * A script, not a test: it prints figures measured in one run and asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ApiObject, App, Chart } from 'cdk8s';
import type * as Kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type * as Library from '../src/index.js';

/** Loaded by `load()` for the variants that use them, so that a cold run loads only its own. */
let kplus: typeof Kplus;
let library: typeof Library;

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
  const { Permission, ServiceAccountAccess } = library;
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

/** The same objects written by hand with cdk8s-plus-27. */
const withCdk8sPlus: Variant = (chart, from, to, namespace) => {
  const POD_LOGS = kplus.ApiResource.custom({ apiGroup: '', resourceType: 'pods/log' });
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

/** Named in a variable: type-checking must not need the build's declarations (lib/cjs). */
const PACKAGE = 'cdk8s-access-tokens';

/** Loads the modules a variant uses beyond cdk8s and constructs (which every variant uses). */
async function load(variant: Variant): Promise<void> {
  if (variant === withApiObjects) return;
  kplus ??= await import('cdk8s-plus-27');
  // By the package's name, as a user's app loads it (`exports`: the CommonJS build behind an
  // ES module entry), not tsc's ES modules under lib/src, which load more slowly when cold.
  if (variant === withServiceAccountAccess) library ??= (await import(PACKAGE)) as typeof Library;
}

interface Sample {
  /** Construct + synthYaml, in CPU milliseconds. */
  readonly cpuMs: number;
  readonly documents: number;
  /** With `--cold`: the whole process's CPU milliseconds (start, loading, compiling, run). */
  readonly processMs?: number;
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

/** A measured run: in this process, or with `cold` in a process of its own. */
function sample(shape: Shape, variant: Variant, n: number, cold: boolean): Sample {
  if (!cold) return measure(shape, variant, n);
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child',
      String(SHAPES.indexOf(shape)),
      String(VARIANTS.findIndex(([, v]) => v === variant)),
      String(n),
    ],
    { encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`cold run failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Sample;
}

/** `--child SHAPE VARIANT N`: one cold run, printed as a `Sample` in JSON. */
async function child(shapeIndex: number, variantIndex: number, n: number): Promise<void> {
  const variant = VARIANTS[variantIndex][1];
  await load(variant);
  const result = measure(SHAPES[shapeIndex], variant, n);
  const whole = process.cpuUsage();
  console.log(JSON.stringify({ ...result, processMs: (whole.user + whole.system) / 1000 }));
}

type Figures = Map<string, { readonly median: number; readonly range: string }>;

function figuresOf(samples: ReadonlyMap<string, readonly number[]>): Figures {
  const figures: Figures = new Map();
  for (const [key, values] of samples) {
    figures.set(key, {
      median: median(values),
      range: `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`,
    });
  }
  return figures;
}

function report(shape: Shape, sizes: readonly number[], repeats: number, cold: boolean): void {
  const synth = new Map<string, number[]>();
  const whole = new Map<string, number[]>();
  // Round-robin over sizes and variants, so that heap growth and the machine's drift hit every
  // variant and every size alike: a round measures each of them once, one after the other.
  for (let r = 0; r < repeats; r++) {
    for (const n of sizes) {
      for (const [label, variant] of VARIANTS) {
        const result = sample(shape, variant, n, cold);
        if (result.documents !== 3 * n) {
          throw new Error(
            `${label} synthesized ${result.documents} documents for ${n} bundles, expected ${3 * n}`,
          );
        }
        const key = `${label}@${n}`;
        synth.set(key, [...(synth.get(key) ?? []), result.cpuMs]);
        if (result.processMs !== undefined) {
          whole.set(key, [...(whole.get(key) ?? []), result.processMs]);
        }
      }
    }
  }
  console.log(`\n== ${shape.label}`);
  if (cold) console.log('construct + synthYaml, each in a fresh process:');
  table(synth, sizes);
  if (cold) {
    console.log(
      '\nthe whole process (node start, module loading, compilation, construct + synth):',
    );
    table(whole, sizes);
  }
}

/**
 * The median over rounds of `own[r] / base[r]`: each round measures the variants one after
 * the other, so a ratio within a round cancels the machine's drift between rounds.
 */
function pairedRatio(own: readonly number[] = [], base: readonly number[] = []): number {
  const ratios: number[] = [];
  for (let r = 0; r < Math.min(own.length, base.length); r++) ratios.push(own[r] / base[r]);
  return ratios.length ? median(ratios) : NaN;
}

function table(samples: ReadonlyMap<string, readonly number[]>, sizes: readonly number[]): void {
  const figures = figuresOf(samples);
  const ms = (key: string) => figures.get(key)?.median ?? NaN;
  const widths = [24, 8, 13, 13, 12, 14, 14, 14];
  const lines = [
    pad(
      [
        'variant',
        'N',
        'CPU ms (med)',
        'range',
        'µs/bundle',
        'vs cdk8s-plus',
        'paired',
        'vs ApiObject',
      ],
      widths,
    ),
  ];
  for (const n of sizes) {
    const plus = ms(`cdk8s-plus-27 by hand@${n}`);
    const raw = ms(`raw ApiObject@${n}`);
    for (const [label] of VARIANTS) {
      const own = ms(`${label}@${n}`);
      const paired = pairedRatio(
        samples.get(`${label}@${n}`),
        samples.get(`cdk8s-plus-27 by hand@${n}`),
      );
      lines.push(
        pad(
          [
            label,
            String(n),
            own.toFixed(0),
            figures.get(`${label}@${n}`)?.range ?? '',
            ((own * 1000) / n).toFixed(1),
            `${(own / plus).toFixed(2)}x`,
            `${paired.toFixed(2)}x`,
            `${(own / raw).toFixed(2)}x`,
          ],
          widths,
        ),
      );
    }
  }
  console.log(lines.join('\n'));
  console.log(
    "paired: the median of each round's ratio to cdk8s-plus by hand (the variants run one after the other in every round)",
  );
  if (sizes.length > 1) {
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    console.log(
      `linearity: µs/bundle at N=${large} / at N=${small} (1.00 = linear), of the medians and paired (the median of each round's ratio)`,
    );
    for (const [label] of VARIANTS) {
      const a = ms(`${label}@${small}`) / small;
      const b = ms(`${label}@${large}`) / large;
      const paired = pairedRatio(
        samples.get(`${label}@${large}`),
        samples.get(`${label}@${small}`),
      );
      console.log(
        `  ${label.padEnd(24)} ${(b / a).toFixed(2)}  paired ${((paired * small) / large).toFixed(2)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    const [shape, variant, n] = process.argv.slice(childAt + 1, childAt + 4).map(Number);
    return child(shape, variant, n);
  }
  const sizes = argValue('--sizes', '1000,5000').split(',').map(Number);
  const repeats = Number(argValue('--repeats', '3'));
  const warmup = Number(argValue('--warmup', '2000'));
  const cold = process.argv.includes('--cold');
  const shapeIndexes = argValue('--shapes', SHAPES.map((_, i) => i + 1).join(','))
    .split(',')
    .map(Number);
  if (
    sizes.some((n) => !Number.isInteger(n) || n < 1) ||
    !Number.isInteger(repeats) ||
    repeats < 1 ||
    !Number.isInteger(warmup) ||
    warmup < 0 ||
    shapeIndexes.some((i) => !SHAPES[i - 1])
  ) {
    throw new Error(
      `--sizes must be positive integers, --repeats a positive integer, --warmup a number of bundles and --shapes numbers from 1 to ${SHAPES.length}, got '${sizes.join(',')}', '${repeats}', '${warmup}' and '${shapeIndexes.join(',')}'`,
    );
  }
  if (!(globalThis as { gc?: unknown }).gc)
    console.error('note: run with node --expose-gc for steadier figures');
  const shapes = shapeIndexes.map((i) => SHAPES[i - 1]);
  if (!cold) {
    for (const [, variant] of VARIANTS) await load(variant);
    // Warm up the JIT on every path before measuring: 200 bundles left the library's many
    // small functions still compiling in the first runs of 1,000 (its ratio to cdk8s-plus at
    // N = 1,000 fell from ~1.3x to ~1.15x with 3,000), the others' fewer paths less so.
    for (const shape of shapes) {
      for (const [, variant] of VARIANTS) if (warmup > 0) measure(shape, variant, warmup);
    }
  }

  console.log(
    `synth CPU time, median of ${repeats} (construct + app.synthYaml()), ${cold ? 'a fresh process per run' : `one process, after a warm-up of ${warmup} bundles`}, node ${process.version}`,
  );
  for (const shape of shapes) report(shape, sizes, repeats, cold);
  console.log(
    '\ntargets: ServiceAccountAccess <= 1.00x cdk8s-plus-27 by hand in both shapes, linear in N',
  );
}

await main();
