/**
 * Minting benchmarks against the API server named by E2E_KUBECONFIG, each compared in the same
 * run (ratios, not absolute targets):
 *
 * 1. one mint end to end (`access-tokens mint SA -o token`, a fresh process) vs
 *    `kubectl create token SA` (median of BENCH_REPEAT runs each), and the floor under it: a
 *    script that sends the same TokenRequest with nothing but `node:https` (bench/https-floor.cts);
 * 2. BENCH_N declared tokens with `access-tokens mint --from DIR` (one process, bounded
 *    concurrency; median of BENCH_FROM_REPEAT runs) vs a loop of single `access-tokens mint`
 *    processes vs a loop of `kubectl create token` (the loops run BENCH_LOOP times and are
 *    extrapolated to BENCH_N);
 * 3. `access-tokens inspect --token-file F` cold start vs `node -e 0`.
 *
 * 1 and 3 also time the CLI from tsc's modules (`ACCESS_TOKENS_UNBUNDLED=1`, lib/src/) next to
 * the bundle that `bin/` runs (lib/cli/), to show what bundling saves.
 *
 * Run: `npm run build && E2E_KUBECONFIG=... node lib/bench/mint.js`. Needs kubectl ≥ 1.24 on
 * PATH (or KUBECTL) for the kubectl comparisons; they are skipped, saying so, without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as k8s from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import {
  TOKEN_DECLARATION_ANNOTATION,
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
const CLI = join(process.cwd(), 'bin/access-tokens.cjs');

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

const UNBUNDLED = { ...BASE_ENV, ACCESS_TOKENS_UNBUNDLED: '1' };
// Node 20 parses its 144 bundled root certificates when a process makes its first TLS
// context (~45 ms); with --use-openssl-ca it looks them up in OpenSSL's store when needed, and a
// kubeconfig with the cluster's CA needs none of them (README: "Speed").
const OPENSSL_CA = { ...BASE_ENV, NODE_OPTIONS: '--use-openssl-ca' };

/**
 * Writes what bench/https-floor.cts needs to send the TokenRequest that `mint SA` sends (0600;
 * the credential never goes on argv). Undefined, saying why, when the kubeconfig's user is not a
 * bearer token or a client certificate (an exec plugin, say): the floor is then not measured.
 */
function floorRequest(kc: k8s.KubeConfig, dir: string, ns: string, sa: string): string | undefined {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const pem = (data?: string, file?: string): string | undefined =>
    data
      ? Buffer.from(data, 'base64').toString('utf8')
      : file
        ? readFileSync(file, 'utf8')
        : undefined;
  const spec = {
    server: cluster?.server,
    path: `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
    ca: pem(cluster?.caData, cluster?.caFile),
    token: user?.token,
    cert: pem(user?.certData, user?.certFile),
    key: pem(user?.keyData, user?.keyFile),
  };
  if (!spec.server || !(spec.token || (spec.cert && spec.key))) {
    console.log(
      '   (the https floor needs a bearer token or a client certificate in the kubeconfig)',
    );
    return undefined;
  }
  const file = join(dir, 'floor-request.json');
  writeFileSync(file, JSON.stringify(spec), { mode: 0o600 });
  return file;
}
const FLOOR = join(process.cwd(), 'lib/bench/https-floor.cjs');

// How long a fresh process takes to load the client-node bundle the CLI loads (from its code
// cache), with the modules that the floor also loads already loaded, then to make the one API
// client a mint uses: what client-node adds to a mint on top of the floor, at the least.
const CLIENT_NODE_LOAD = `
const { performance } = require('node:perf_hooks');
for (const m of ['node:https', 'node:http', 'node:zlib', 'node:stream', 'node:url']) require(m);
const start = performance.now();
const k8s = require(${JSON.stringify(join(process.cwd(), 'bin/load-bundle.cjs'))})
  .loadBundle(${JSON.stringify(join(process.cwd(), 'lib/cli/client-node.cjs'))});
const kc = new k8s.KubeConfig();
kc.loadFromClusterAndUser({ name: 'c', server: 'https://127.0.0.1:1' }, { name: 'u' });
kc.makeApiClient(k8s.AuthenticationV1Api);
process.stdout.write(String(performance.now() - start));`;

const kubectlWorks = spawnSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' }).status === 0;

async function main(): Promise<void> {
  assertBundleBuilt(process.cwd());
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig as string);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = `bench-${Date.now().toString(36)}`;
  await core.createNamespace({ body: { metadata: { name: ns } } });
  console.log(`namespace ${ns}; creating ${N} ServiceAccounts...`);
  const names = Array.from({ length: N }, (_, i) => `sa-${i}`);
  for (let i = 0; i < names.length; i += 32) {
    await Promise.all(
      names.slice(i, i + 32).map((name) =>
        core.createNamespacedServiceAccount({
          namespace: ns,
          body: { metadata: { name }, automountServiceAccountToken: false },
        }),
      ),
    );
  }
  const common = ['-n', ns, '--kubeconfig', kubeconfig as string];

  // 1. One mint end to end (bundle and lib/src alternating, so that noise hits both alike).
  // Everything alternates, so that machine noise hits all alike.
  const mint = ['mint', 'sa-0', ...common, '-o', 'token'];
  const work = workDir('bench-dist-');
  const floorFile = floorRequest(kc, work, ns, 'sa-0');
  const floor: number[] = [];
  const floorOpensslCa: number[] = [];
  const ours: number[] = [];
  const oursUnbundled: number[] = [];
  const oursOpensslCa: number[] = [];
  const clientNodeLoad: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < REPEAT; r++) {
    ours.push(timed('node', [CLI, ...mint]).ms);
    oursUnbundled.push(timed('node', [CLI, ...mint], 'ignore', UNBUNDLED).ms);
    oursOpensslCa.push(timed('node', [CLI, ...mint], 'ignore', OPENSSL_CA).ms);
    if (kubectlWorks) theirs.push(timed(KUBECTL, ['create', 'token', 'sa-0', ...common]).ms);
    clientNodeLoad.push(Number(timed('node', ['-e', CLIENT_NODE_LOAD], 'pipe').out));
    if (floorFile) {
      floor.push(timed('node', [FLOOR, floorFile]).ms);
      floorOpensslCa.push(timed('node', [FLOOR, floorFile], 'ignore', OPENSSL_CA).ms);
    }
  }
  console.log(`\n1. one mint end to end (median of ${REPEAT}):`);
  console.log(`   access-tokens mint -o token   ${fmt(median(ours))}`);
  console.log(`   the same from lib/src         ${fmt(median(oursUnbundled))}`);
  console.log(`   the same, --use-openssl-ca    ${fmt(median(oursOpensslCa))}`);
  if (kubectlWorks) {
    console.log(`   kubectl create token          ${fmt(median(theirs))}`);
    console.log(
      `   ratio access-tokens / kubectl ${(median(ours) / median(theirs)).toFixed(2)}x (target <= 1.5x); ` +
        `with --use-openssl-ca ${(median(oursOpensslCa) / median(theirs)).toFixed(2)}x`,
    );
  } else console.log('   kubectl not found: comparison skipped');
  if (floorFile) {
    // What a Node process pays for one TokenRequest before any of our code or client-node runs:
    // starting node, loading https, the root certificates, the request itself.
    const vs = (xs: number[]): string =>
      kubectlWorks ? ` = ${(median(xs) / median(theirs)).toFixed(2)}x kubectl` : '';
    console.log(`   floor: node:https alone       ${fmt(median(floor))}${vs(floor)}`);
    console.log(
      `   floor, --use-openssl-ca       ${fmt(median(floorOpensslCa))}${vs(floorOpensslCa)}`,
    );
    console.log(
      `   access-tokens above the floor ${fmt(median(ours) - median(floor))} (client-node, kubeconfig, CLI)`,
    );
    console.log(
      `   of which loading client-node  ${fmt(median(clientNodeLoad))} (in a process of its own)`,
    );
    if (kubectlWorks)
      console.log(
        `   the 1.5x target leaves        ${fmt(1.5 * median(theirs) - median(floor))} above the floor`,
      );
  }

  // 2. N declared tokens.
  const dist = work;
  mkdirSync(join(dist, 'dist'));
  // Each token into a kubeconfig file of its own (under --out-dir), as a pipeline would keep them.
  const decl = (name: string): string =>
    serializeTokenDeclaration({
      version: 1,
      durationSeconds: 3600,
      audiences: [],
      store: { kind: 'kubeconfigFile', path: `tokens/${name}.kubeconfig` },
      boundToSecret: false,
    });
  writeFileSync(
    join(dist, 'dist', 'app.k8s.yaml'),
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
  // Three runs (BENCH_FROM_REPEAT), each into a fresh folder: a single run moved between 4.7 s
  // and 7.7 s on this machine (the first, right after creating the ServiceAccounts, was the 7.7).
  const fromRuns = Array.from(
    { length: FROM_REPEAT },
    (_, r) =>
      timed('node', [
        CLI,
        'mint',
        '--from',
        join(dist, 'dist'),
        '--kubeconfig',
        kubeconfig as string,
        '--concurrency',
        '32',
        '--out-dir',
        join(dist, `out-${r}`),
      ]).ms,
  );
  const from = { ms: median(fromRuns) };
  const loopOurs = Array.from(
    { length: LOOP },
    (_, i) => timed('node', [CLI, 'mint', names[i % N], ...common, '-o', 'token']).ms,
  );
  const perOurs = loopOurs.reduce((a, b) => a + b, 0) / LOOP;
  console.log(`\n2. ${N} declared tokens:`);
  console.log(
    `   access-tokens mint --from      ${fmt(from.ms)} (${fmt(from.ms / N)} per token; median of ` +
      `${FROM_REPEAT}: ${fromRuns.map(fmt).join(', ')})`,
  );
  console.log(
    `   loop of access-tokens mint     ${fmt(perOurs * N)} extrapolated from ${LOOP} runs (${fmt(perOurs)} each)`,
  );
  console.log(`   ratio loop(access-tokens) / --from  ${((perOurs * N) / from.ms).toFixed(1)}x`);
  if (kubectlWorks) {
    const loopKubectl = Array.from(
      { length: LOOP },
      (_, i) => timed(KUBECTL, ['create', 'token', names[i % N], ...common]).ms,
    );
    const perKubectl = loopKubectl.reduce((a, b) => a + b, 0) / LOOP;
    console.log(
      `   loop of kubectl create token   ${fmt(perKubectl * N)} extrapolated from ${LOOP} runs (${fmt(perKubectl)} each)`,
    );
    console.log(
      `   ratio loop(kubectl) / --from   ${((perKubectl * N) / from.ms).toFixed(1)}x (target >= 20x)`,
    );
  }

  // 3. inspect cold start.
  const tokenFile = join(dist, 'token');
  writeFileSync(
    tokenFile,
    timed('node', [CLI, 'mint', 'sa-0', ...common, '-o', 'token'], 'pipe').out,
    { mode: 0o600 },
  );
  const inspect: number[] = [];
  const inspectUnbundled: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < REPEAT * 2; r++) {
    inspect.push(timed('node', [CLI, 'inspect', '--token-file', tokenFile]).ms);
    inspectUnbundled.push(
      timed('node', [CLI, 'inspect', '--token-file', tokenFile], 'ignore', UNBUNDLED).ms,
    );
    bare.push(timed('node', ['-e', '0']).ms);
  }
  console.log(`\n3. cold start (median of ${REPEAT * 2}):`);
  console.log(`   access-tokens inspect --token-file  ${fmt(median(inspect))}`);
  console.log(`   the same from lib/src               ${fmt(median(inspectUnbundled))}`);
  console.log(`   node -e 0                           ${fmt(median(bare))}`);
  console.log(
    `   ratio                               ${(median(inspect) / median(bare)).toFixed(2)}x (target <= 2x)`,
  );
  console.log(`\n(namespace ${ns} is left behind: the test server has no namespace controller)`);
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
