/**
 * Minting benchmarks against the API server named by E2E_KUBECONFIG, each compared in the same
 * run (ratios, not absolute targets), with the node that runs this script (run it once with
 * Node 20 and once with Node 24):
 *
 * 1. one mint end to end (`access-tokens mint SA -o token`, a fresh process) vs the floor
 *    under it: a script that sends the same TokenRequest with nothing but `node:https`
 *    (bench/https-floor.cts), median of BENCH_REPEAT runs each; `kubectl create token` beside
 *    them when kubectl is on PATH (its target is retired: node's own start leaves no room);
 * 2. BENCH_N declared tokens, each stored in a Secret of its own, with one
 *    `access-tokens mint --from DIR --concurrency C` vs the floor: a `node:https` script
 *    (bench/mint-floor.cts) that sends the same TokenRequests and one Secret write per token,
 *    C at a time over keep-alive HTTPS, whole processes timed (median of BENCH_FROM_REPEAT,
 *    alternating); beside them loops of `kubectl create token` and of single
 *    `access-tokens mint` processes (BENCH_LOOP runs each, extrapolated to BENCH_N).
 *
 * Run: `npm run build && E2E_KUBECONFIG=... node lib/bench/mint.js`. kubectl (≥ 1.24, on PATH or
 * KUBECTL) is optional: its comparisons are skipped, saying so, without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import {
  managedSecretManifest,
  MINTED_AT_ANNOTATION,
  SERVICE_ACCOUNT_ANNOTATION,
  TOKEN_DECLARATION_ANNOTATION,
  TOKEN_SECRET_KEY,
  serializeTokenDeclaration,
} from '../src/contract/token-declaration.js';
import { assertBundleBuilt } from './_bundle.js';

const kubeconfig = process.env.E2E_KUBECONFIG;
if (!kubeconfig) {
  console.error('set E2E_KUBECONFIG to the kubeconfig of the cluster to benchmark against');
  process.exit(2);
}
const N = Number(process.env.BENCH_N ?? 1000);
const LOOP = Number(process.env.BENCH_LOOP ?? 50);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 7);
const FROM_REPEAT = Number(process.env.BENCH_FROM_REPEAT ?? 3);
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CLI = join(process.cwd(), 'bin/access-tokens.cjs');
// Every process runs on the node that runs this script (Node 20 and Node 24 are both measured).
const NODE = process.execPath;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;

// Every command runs with only PATH (and the kubeconfig on its command line), as the cold-start
// bench does: an environment such as NODE_EXTRA_CA_CERTS (set on the machine these figures come
// from) adds ~90 ms to every node start and nothing to kubectl's.
// (kubectl keeps its discovery cache under HOME: a fresh one, never the working directory.)
const workDirs: string[] = [];
const workDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  workDirs.push(dir);
  return dir;
};
const BASE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH ?? '',
  HOME: workDir('bench-home-'),
};

function timed(
  cmd: string,
  args: string[],
  stdout: 'ignore' | 'pipe' = 'ignore',
  env: NodeJS.ProcessEnv = BASE_ENV,
): { ms: number; out: string } {
  const start = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdout, 'pipe'], encoding: 'utf8', env });
  const ms = performance.now() - start;
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args[0]} failed (${r.status}): ${(r.stderr ?? '')
        .split('\n')
        .filter((l) => !/version skew|^W\d/.test(l))
        .join(' ')
        .slice(0, 300)}`,
    );
  return { ms, out: r.stdout ?? '' };
}

// Node 20 parses its 144 bundled root certificates when a process makes its first TLS
// context (~45 ms); with --use-openssl-ca it looks them up in OpenSSL's store when needed, and a
// kubeconfig with the cluster's CA needs none of them (README: "Speed").
const OPENSSL_CA = { ...BASE_ENV, NODE_OPTIONS: '--use-openssl-ca' };

/**
 * Writes a floor script's input, `fields` plus how to reach the cluster (0600: the credential
 * never goes on argv). Undefined, saying why, when the kubeconfig's user is not a bearer token
 * or a client certificate (an exec plugin, say): that floor is then not measured.
 */
function floorSpec(
  kc: k8s.KubeConfig,
  file: string,
  fields: Record<string, unknown>,
): string | undefined {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const pem = (data?: string, path?: string): string | undefined =>
    data
      ? Buffer.from(data, 'base64').toString('utf8')
      : path
        ? readFileSync(path, 'utf8')
        : undefined;
  const spec = {
    server: cluster?.server,
    ca: pem(cluster?.caData, cluster?.caFile),
    token: user?.token,
    cert: pem(user?.certData, user?.certFile),
    key: pem(user?.keyData, user?.keyFile),
    ...fields,
  };
  if (!spec.server || !(spec.token || (spec.cert && spec.key))) {
    console.log(
      '   (the https floors need a bearer token or a client certificate in the kubeconfig)',
    );
    return undefined;
  }
  writeFileSync(file, JSON.stringify(spec), { mode: 0o600 });
  return file;
}
/** bench/https-floor.cts: the TokenRequest that `mint SA` sends. */
const FLOOR = join(process.cwd(), 'lib/bench/https-floor.cjs');
/** bench/mint-floor.cts: `mint --from`'s TokenRequests and one Secret write per token. */
const MANY_FLOOR = join(process.cwd(), 'lib/bench/mint-floor.cjs');

const kubectlWorks = spawnSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' }).status === 0;

async function main(): Promise<void> {
  assertBundleBuilt(process.cwd());
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig as string);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = `bench-${Date.now().toString(36)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  console.log(
    `node ${process.version}; namespace ${ns}; creating ${N} ServiceAccounts and Secret stores...`,
  );
  const names = Array.from({ length: N }, (_, i) => `sa-${i}`);
  for (let i = 0; i < names.length; i += 32) {
    await Promise.all(
      names.slice(i, i + 32).map(async (name) => {
        await core.createNamespacedServiceAccount({
          namespace: ns,
          body: { metadata: { name }, automountServiceAccountToken: false },
        });
        // The empty store as the synth emits it and a pipeline applies it.
        await core.createNamespacedSecret({
          namespace: ns,
          body: managedSecretManifest(`${name}-token`, { namespace: ns }),
        });
      }),
    );
  }
  const common = ['-n', ns, '--kubeconfig', kubeconfig as string];
  const work = workDir('bench-dist-');

  // 1. One mint end to end; everything alternates, so that machine noise hits all alike.
  const mint = ['mint', 'sa-0', ...common, '-o', 'token'];
  const floorFile = floorSpec(kc, join(work, 'floor.json'), {
    path: `/api/v1/namespaces/${ns}/serviceaccounts/sa-0/token`,
  });
  const floor: number[] = [];
  const floorOpensslCa: number[] = [];
  const ours: number[] = [];
  const oursOpensslCa: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    ours.push(timed(NODE, [CLI, ...mint]).ms);
    oursOpensslCa.push(timed(NODE, [CLI, ...mint], 'ignore', OPENSSL_CA).ms);
    if (kubectlWorks) theirs.push(timed(KUBECTL, ['create', 'token', 'sa-0', ...common]).ms);
    if (floorFile) {
      floor.push(timed(NODE, [FLOOR, floorFile]).ms);
      floorOpensslCa.push(timed(NODE, [FLOOR, floorFile], 'ignore', OPENSSL_CA).ms);
    }
  }
  console.log(`\n1. one mint end to end, node ${process.version} (median of ${REPEAT}):`);
  console.log(`   access-tokens mint -o token        ${fmt(median(ours))}`);
  console.log(`   the same, --use-openssl-ca         ${fmt(median(oursOpensslCa))}`);
  if (floorFile) {
    console.log(`   floor: node:https alone            ${fmt(median(floor))}`);
    console.log(`   floor, --use-openssl-ca            ${fmt(median(floorOpensslCa))}`);
    console.log(
      `   ratio access-tokens / floor        ${(median(ours) / median(floor)).toFixed(2)}x (target <= 1.3x on Node 24); ` +
        `with --use-openssl-ca ${(median(oursOpensslCa) / median(floorOpensslCa)).toFixed(2)}x`,
    );
  }
  if (kubectlWorks) {
    console.log(`   kubectl create token               ${fmt(median(theirs))}`);
    console.log(
      `   ratio access-tokens / kubectl      ${(median(ours) / median(theirs)).toFixed(2)}x (target retired)`,
    );
  } else console.log('   kubectl not found: comparison skipped');

  // 2. N declared tokens, each into its Secret store.
  const dist = join(work, 'dist');
  mkdirSync(dist);
  const decl = (name: string): string =>
    serializeTokenDeclaration({
      version: 1,
      durationSeconds: 3600,
      audiences: [],
      store: { kind: 'secret', name: `${name}-token` },
      boundToSecret: false,
    });
  writeFileSync(
    join(dist, 'app.k8s.yaml'),
    names
      .map((name) =>
        dump({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: {
            name,
            namespace: ns,
            annotations: { [TOKEN_DECLARATION_ANNOTATION]: decl(name) },
          },
        }),
      )
      .join('---\n'),
  );
  const manyFloorFile = floorSpec(kc, join(work, 'mint-floor.json'), {
    namespace: ns,
    serviceAccounts: names,
    concurrency: CONCURRENCY,
  });
  const fromArgs = [CLI, 'mint', '--from', dist, '--kubeconfig', kubeconfig as string];
  const fromRuns: number[] = [];
  const floorRuns: number[] = [];
  for (let r = 0; r < FROM_REPEAT; r++) {
    if (manyFloorFile) floorRuns.push(timed(NODE, [MANY_FLOOR, manyFloorFile]).ms);
    const start = new Date();
    fromRuns.push(timed(NODE, [...fromArgs, '--concurrency', String(CONCURRENCY)]).ms);
    await expectStored(core, ns, names, start);
  }
  const from = median(fromRuns);
  const perSecond = (ms: number): string => `${((N * 1000) / ms).toFixed(0)} tokens/s`;
  const runs = (xs: number[]): string => xs.map(fmt).join(', ');
  console.log(
    `\n2. ${N} declared tokens into Secrets, concurrency ${CONCURRENCY}, node ${process.version}:`,
  );
  console.log(
    `   access-tokens mint --from          ${fmt(from)} = ${perSecond(from)} (median of ${FROM_REPEAT}: ${runs(fromRuns)})`,
  );
  if (manyFloorFile) {
    const floorMs = median(floorRuns);
    console.log(
      `   floor: node:https, mint + write    ${fmt(floorMs)} = ${perSecond(floorMs)} (median of ${FROM_REPEAT}: ${runs(floorRuns)})`,
    );
    console.log(
      `   throughput --from / floor          ${(floorMs / from).toFixed(2)}x (target >= 0.8x)`,
    );
  }
  const loopOurs = Array.from(
    { length: LOOP },
    (_, i) => timed(NODE, [CLI, 'mint', names[i % N], ...common, '-o', 'token']).ms,
  );
  const perOurs = loopOurs.reduce((a, b) => a + b, 0) / LOOP;
  console.log(
    `   loop of access-tokens mint         ${fmt(perOurs * N)} extrapolated from ${LOOP} runs (${fmt(perOurs)} each) = ${((perOurs * N) / from).toFixed(1)}x --from`,
  );
  if (kubectlWorks) {
    const loopKubectl = Array.from(
      { length: LOOP },
      (_, i) => timed(KUBECTL, ['create', 'token', names[i % N], ...common]).ms,
    );
    const perKubectl = loopKubectl.reduce((a, b) => a + b, 0) / LOOP;
    console.log(
      `   loop of kubectl create token       ${fmt(perKubectl * N)} extrapolated from ${LOOP} runs (${fmt(perKubectl)} each) = ${((perKubectl * N) / from).toFixed(1)}x --from (target >= 20x)`,
    );
  } else console.log('   kubectl not found: the kubectl loop is skipped');
  console.log(`\n(namespace ${ns} is left behind: the test server has no namespace controller)`);
}

/**
 * Every store holds a token of its own ServiceAccount that `mint --from` wrote since `since` (the
 * floor's writes carry no mint time): a run that did not store is no figure.
 */
async function expectStored(
  core: k8s.CoreV1Api,
  ns: string,
  names: string[],
  since: Date,
): Promise<void> {
  const list = await core.listNamespacedSecret({ namespace: ns });
  const held = new Set(
    list.items
      .filter(
        (s) =>
          s.data?.[TOKEN_SECRET_KEY] &&
          Date.parse(s.metadata?.annotations?.[MINTED_AT_ANNOTATION] ?? '') >= since.getTime(),
      )
      .map((s) => s.metadata?.annotations?.[SERVICE_ACCOUNT_ANNOTATION]),
  );
  const missing = names.filter((n) => !held.has(n));
  if (missing.length > 0) throw new Error(`${missing.length} Secret stores hold no token`);
}

// The work folder holds minted tokens (1,000 kubeconfig files): never leave it behind.
main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  })
  .finally(() => {
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  });
