/**
 * `rotate --from` against the API server named by E2E_KUBECONFIG, compared in the same run:
 * BENCH_N declared rotations (default 1,000) of which 10% are due (their Secrets are empty, as
 * synthesized; the others hold a fresh token) vs `mint --from` of the same due tokens into the
 * same Secrets. The managed Secrets are listed once per namespace: a rotation that is not due
 * costs no request of its own; a due one a mint and a write. Also `rotate --from` with nothing
 * due (the LIST, no mint or write). Each is a fresh CLI process, run BENCH_REPEAT times
 * alternating, median reported.
 *
 * Run: `npm run build && E2E_KUBECONFIG=... node lib/bench/rotate.js`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import {
  managedSecretManifest,
  serializeTokenDeclaration,
  TOKEN_DECLARATION_ANNOTATION,
} from '../src/contract/token-declaration.js';
import { assertBundleBuilt } from './_bundle.js';

const kubeconfig = process.env.E2E_KUBECONFIG;
if (!kubeconfig) {
  console.error('set E2E_KUBECONFIG to the kubeconfig of the cluster to benchmark against');
  process.exit(2);
}
const N = Number(process.env.BENCH_N ?? 1000);
const DUE = Math.round(N / 10);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const CLI = join(process.cwd(), 'bin/access-tokens.cjs');
const ENV = { PATH: process.env.PATH ?? '', HOME: mkdtempSync(join(tmpdir(), 'bench-home-')) };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function cli(args: string[]): { ms: number; out: string } {
  const start = performance.now();
  const r = spawnSync('node', [CLI, ...args, '--kubeconfig', kubeconfig as string], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    env: ENV,
  });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { ms, out: r.stdout };
}

/** Writes one manifest file declaring a rotated Secret-stored token for each name. */
function declare(dir: string, ns: string, names: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const docs = names.map((name) =>
    dump({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name,
        namespace: ns,
        annotations: {
          [TOKEN_DECLARATION_ANNOTATION]: serializeTokenDeclaration({
            version: 1,
            durationSeconds: 3600,
            audiences: [],
            store: { kind: 'secret', name: `${name}-token` },
            boundToSecret: false,
            rotation: {},
          }),
        },
      },
    }),
  );
  writeFileSync(join(dir, 'app.k8s.yaml'), docs.join('---\n'));
  return dir;
}

async function inBatches<T>(
  items: readonly T[],
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += 32) await Promise.all(items.slice(i, i + 32).map(run));
}

async function main(): Promise<void> {
  assertBundleBuilt(process.cwd());
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig as string);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = `bench-rotate-${Date.now().toString(36)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const names = Array.from({ length: N }, (_, i) => `sa-${i}`);
  const due = names.slice(0, DUE);
  console.log(`namespace ${ns}; ${N} ServiceAccounts and empty managed Secrets...`);
  await inBatches(names, async (name) => {
    await core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name }, automountServiceAccountToken: false },
    });
    await core.createNamespacedSecret({
      namespace: ns,
      body: managedSecretManifest(`${name}-token`),
    });
  });
  const work = mkdtempSync(join(tmpdir(), 'bench-rotate-'));
  const all = declare(join(work, 'all'), ns, names);
  const dueOnly = declare(join(work, 'due'), ns, due);
  const notDue = declare(join(work, 'not-due'), ns, names.slice(DUE));
  // The 90% that are not due hold a fresh token.
  cli(['rotate', '--from', notDue, '--concurrency', '32']);
  /** Empties the due Secrets again, as synthesized. */
  const resetDue = () =>
    inBatches(due, async (name) => {
      const s = await core.readNamespacedSecret({ name: `${name}-token`, namespace: ns });
      await core.replaceNamespacedSecret({
        name: `${name}-token`,
        namespace: ns,
        body: { ...s, data: {} },
      });
    });

  const rotateAll: number[] = [];
  const mintDue: number[] = [];
  const rotateNone: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    await resetDue();
    const rotated = cli(['rotate', '--from', all, '--concurrency', '16']);
    if (!rotated.out.includes(`${DUE} rotated, ${N - DUE} not due, 0 failed`))
      throw new Error(
        `rotate --from did not rotate exactly the due ones: ${rotated.out.slice(-200)}`,
      );
    rotateAll.push(rotated.ms);
    rotateNone.push(cli(['rotate', '--from', all, '--concurrency', '16']).ms);
    await resetDue();
    mintDue.push(cli(['mint', '--from', dueOnly, '--concurrency', '16']).ms);
  }
  console.log(`\nrotate --from over ${N} declared rotations, ${DUE} due (median of ${REPEAT}):`);
  console.log(`   rotate --from, ${DUE} due of ${N}       ${fmt(median(rotateAll))}`);
  console.log(
    `   rotate --from, none due of ${N}      ${fmt(median(rotateNone))} (no mint, no write)`,
  );
  console.log(`   mint --from of the same ${DUE}          ${fmt(median(mintDue))}`);
  console.log(
    `   ratio rotate (${DUE} due of ${N}) / mint (${DUE})   ${(median(rotateAll) / median(mintDue)).toFixed(2)}x; ` +
      `rotate - mint = ${fmt(median(rotateAll) - median(mintDue))} vs ${fmt(median(rotateNone))} with nothing due`,
  );
  rmSync(work, { recursive: true, force: true });
  rmSync(ENV.HOME, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
