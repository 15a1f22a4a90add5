'use strict';
// Writes the V8 code cache of one bundle in lib/cli/ (run by scripts/bundle.mjs, in a fresh Node
// as the CLI runs):  node scripts/code-cache.cjs cli|client-node FILE
//
// After `npm install` of the package (its `postinstall`): node scripts/code-cache.cjs --refresh
// writes the caches that are missing (the package ships none: a cache is compiled code that V8
// runs instead of the bundle, which no review of the bundle would see) or that this Node rejects
// (another Node version, damaged), so that the installed CLI starts as fast as measured. It
// never fails the install: without a build (a checkout before `npm run build`) it does nothing,
// and a failure only prints a line.
//
// Before the cache is written, a warm-up runs what a typical command runs, so that the cache
// holds those functions compiled too, not only the bundle's top level. The warm-up never
// touches the network: the client-node request stops in its first middleware.
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { cacheStatus, writeCodeCache } = require('../bin/load-bundle.cjs');

const BUNDLES = { cli: 'access-tokens.cjs', 'client-node': 'client-node.cjs' };

const MANIFESTS = `apiVersion: v1
kind: ServiceAccount
metadata: { name: deployer, namespace: shop }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: deployer, namespace: shop }
rules:
  - apiGroups: [apps]
    resources: [deployments]
    resourceNames: [web]
    verbs: [get, patch]
  - apiGroups: ['']
    resources: [configmaps, pods]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: deployer, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer }
subjects:
  - kind: ServiceAccount
    name: deployer
    namespace: shop
`;

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: warm-up
    cluster: { server: 'https://127.0.0.1:1' }
users:
  - name: warm-up
    user: { token: warm-up }
contexts:
  - name: warm-up
    context: { cluster: warm-up, user: warm-up, namespace: shop }
current-context: warm-up
`;

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function warmUpCli({ main }) {
  const dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  try {
    const manifests = join(dir, 'app.k8s.yaml');
    writeFileSync(manifests, MANIFESTS);
    const token = join(dir, 'token');
    const claims = { sub: 'system:serviceaccount:shop:deployer', iat: 4102441200, exp: 4102444800 };
    writeFileSync(token, `${b64({ alg: 'RS256' })}.${b64(claims)}.c2ln`, { mode: 0o600 });
    const io = { stdout: () => {}, stderr: () => {}, env: { PATH: '', HOME: dir } };
    const canIOffline = (verb, target, ...flags) => [
      'can-i',
      verb,
      target,
      '--manifests',
      manifests,
      '--as',
      'system:serviceaccount:shop:deployer',
      '-n',
      'shop',
      ...flags,
    ];
    const runs = [
      ['--help'],
      ['mint', '--help'],
      ['lint', manifests],
      canIOffline('patch', 'deployments.apps/web'),
      canIOffline('delete', 'secrets', '-o', 'json'),
      ['who-can', 'get', 'pods', '--manifests', manifests, '-n', 'shop'],
      ['inspect', '--token-file', token],
    ];
    for (const argv of runs) {
      const code = await main(argv, io);
      if (code > 1) throw new Error(`warm-up run 'access-tokens ${argv.join(' ')}' exited ${code}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function warmUpClientNode(k8s) {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(KUBECONFIG);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const stop = new Error('warm-up: no request is sent');
  const middleware = {
    pre: () => {
      throw stop;
    },
    post: (ctx) => new k8s.Observable(Promise.resolve(ctx)),
  };
  const options = { middleware: [middleware], middlewareMergeStrategy: 'append' };
  const body = { spec: { expirationSeconds: 3600, audiences: ['warm-up'] } };
  await core
    .createNamespacedServiceAccountToken({ name: 'warm-up', namespace: 'shop', body }, options)
    .then(
      () => {
        throw new Error('warm-up: a request was sent');
      },
      (err) => {
        if (err !== stop) throw err;
      },
    );
}

/** Rewrites, each in a fresh Node, the caches this Node would not use. Returns what it did. */
function refresh(dir) {
  const done = [];
  for (const [kind, name] of Object.entries(BUNDLES)) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    const status = cacheStatus(file);
    if (status === 'accepted') continue;
    const run = spawnSync(process.execPath, [__filename, kind, file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr.trim().split('\n')[0]}`);
    done.push(`${name} (${status})`);
  }
  return done;
}

const [kind, file] = process.argv.slice(2);
const warmUps = { cli: warmUpCli, 'client-node': warmUpClientNode };
if (kind === '--refresh') {
  try {
    const done = refresh(file ?? join(__dirname, '..', 'lib', 'cli'));
    if (done.length > 0)
      console.log(
        `cdk8s-access-tokens: wrote the code cache of ${done.join(', ')} for Node ${process.version}`,
      );
  } catch (err) {
    console.log(
      `cdk8s-access-tokens: could not rewrite the CLI's code caches (it runs, only slower): ${err.message}`,
    );
  }
} else if (!(kind in warmUps) || !file) {
  console.error('usage: node scripts/code-cache.cjs cli|client-node FILE | --refresh [DIR]');
  process.exit(2);
} else {
  writeCodeCache(file, warmUps[kind]).then((bytes) => process.stdout.write(String(bytes)));
}
