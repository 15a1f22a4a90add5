/**
 * The installed CLI, as users run it: `bin/access-tokens.cjs` over the bundles in lib/cli/, with
 * @kubernetes/client-node from lib/cli/client-node.cjs (bundled with only the names the runtime
 * uses). Every command that talks to a cluster runs once in a process of its own, so that a name
 * missing from that bundle fails here, not for a user. (The other e2e tests call `main()` from
 * src/ in-process.)
 */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { createServiceAccountWithRole } from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const BIN = resolve('bin/access-tokens.cjs');
const BUNDLE = resolve('lib/cli');
const MARKER = 'BUNDLE FILE READ ';

describeE2E('the bundled CLI against the cluster', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  const dir = tempDir('cli-bundled-');
  const probe = join(dir, 'probe.cjs');
  const tokens: string[] = [];
  const outputs: string[] = [];

  /** Runs the bin in a fresh process; lists the files of lib/cli/ it read. */
  const cli = (args: string[], env: Record<string, string> = {}) => {
    const run = spawnSync(
      process.execPath,
      ['--require', probe, BIN, ...args, '--kubeconfig', E2E_KUBECONFIG as string],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
        timeout: 60_000,
      },
    );
    const lines = run.stderr.split('\n');
    const read = lines.filter((l) => l.startsWith(MARKER)).map((l) => l.slice(MARKER.length));
    const stderr = lines.filter((l) => !l.startsWith(MARKER)).join('\n');
    outputs.push(stderr);
    return { code: run.status, stdout: run.stdout, stderr, read };
  };
  const tokenFile = (name: string, token: string): string => {
    const file = join(dir, name);
    writeFileSync(file, token, { mode: 0o600 });
    return file;
  };

  beforeAll(async () => {
    // Bundles older than tsc's output would test yesterday's code.
    for (const [bundle, main] of [
      ['access-tokens.cjs', 'main.js'],
      ['mint.cjs', 'mint-main.js'],
    ])
      expect(statSync(join(BUNDLE, bundle)).mtimeMs).toBeGreaterThanOrEqual(
        statSync(resolve('lib/src/cli', main)).mtimeMs,
      );
    writeFileSync(
      probe,
      `const fs = require('node:fs'); const read = fs.readFileSync;\n` +
        `fs.readFileSync = function (path, ...rest) {\n` +
        `  if (typeof path === 'string' && path.startsWith(${JSON.stringify(`${BUNDLE}/`)}))\n` +
        `    fs.writeSync(2, ${JSON.stringify(MARKER)} + path.slice(${BUNDLE.length + 1}) + '\\n');\n` +
        `  return read.call(this, path, ...rest);\n};\n`,
    );
    kc = adminKubeConfig();
    ns = await createNamespace(kc, 'cli-bundled');
    await createServiceAccountWithRole(kc, ns, 'deployer', [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
    ]);
  });

  test('GIVEN the bundle WHEN each cluster command runs THEN it works through client-node.cjs', () => {
    // mint -o token with a token kubeconfig: the mint bundle alone, the TokenRequest over
    // node:https, no client-node
    const minted = cli(['mint', 'deployer', '-n', ns, '-o', 'token']);
    expect({ code: minted.code, stderr: minted.stderr.trim() }).toEqual({ code: 0, stderr: '' });
    expect([...new Set(minted.read)].sort()).toEqual(['mint.cjs']);
    const token = minted.stdout.trim();
    tokens.push(token);
    const file = tokenFile('plain.tok', token);

    // inspect --verify: AuthenticationV1Api (TokenReview), KubeConfig, Observable (middleware):
    // the two bundles, loaded with a plain require (no code cache any more)
    const verified = cli(['inspect', '--token-file', file, '--verify']);
    expect(verified.code).toBe(0);
    expect([...new Set(verified.read)].sort()).toEqual(['access-tokens.cjs', 'client-node.cjs']);
    expect(verified.stdout).toMatch(/Verified: +yes/);

    // can-i as the token: AuthorizationV1Api (SelfSubjectAccessReview)
    const yes = cli(['can-i', 'list', 'configmaps', '-n', ns, '--token-file', file]);
    expect({ code: yes.code, stdout: yes.stdout }).toEqual({ code: 0, stdout: 'yes\n' });
    // can-i --as: AuthorizationV1Api (SubjectAccessReview)
    const no = cli([
      'can-i',
      'delete',
      'secrets',
      '-n',
      ns,
      '--as',
      `system:serviceaccount:${ns}:deployer`,
    ]);
    expect({ code: no.code, stdout: no.stdout }).toEqual({ code: 1, stdout: 'no\n' });

    // describe: RbacAuthorizationV1Api (bindings and roles)
    const described = cli(['describe', 'deployer', '-n', ns]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/configmaps/);

    // mint --bind-to-new-secret --secret: a binding Secret patched with its expiry
    // (setHeaderOptions, PatchStrategy), the token stored into a Secret
    const bound = cli([
      'mint',
      'deployer',
      '-n',
      ns,
      '--bind-to-new-secret',
      '--secret',
      'deployer-token',
    ]);
    expect({ code: bound.code, stderr: bound.stderr.trim() }).toEqual({ code: 0, stderr: '' });
    // The mint bundle requires client-node.cjs for the patch, as the whole CLI does.
    expect([...new Set(bound.read)].sort()).toEqual(['client-node.cjs', 'mint.cjs']);
    const stored = cli(['mint', 'deployer', '-n', ns, '--bind-to-new-secret', '-o', 'token']);
    expect({ code: stored.code, stderr: stored.stderr.trim() }).toEqual({ code: 0, stderr: '' });
    const boundToken = stored.stdout.trim();
    tokens.push(boundToken);

    // revoke --wait: deletes the bound Secret, then TokenReview rejects the token
    const revoked = cli(['revoke', '--token-file', tokenFile('bound.tok', boundToken), '--wait']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/the token is revoked \(confirmed: TokenReview rejects it\)/);
  });

  afterAll(() => {
    const haystack = outputs.join('\n');
    for (const token of tokens) expect(haystack.includes(token)).toBe(false);
  });
});
