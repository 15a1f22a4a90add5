/**
 * `mint --from` shows a progress line only on a terminal. The built CLI (bin/, over lib/) runs
 * under util-linux `script` for a pseudo-terminal, and again with pipes; neither output holds
 * a token.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import { createServiceAccountWithRole, declaringServiceAccount } from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const BIN = resolve('bin/access-tokens.cjs');
const NAMES = ['alpha', 'beta', 'gamma'];
const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
const hasBuild =
  existsSync(resolve('lib/cli/access-tokens.cjs')) || existsSync(resolve('lib/src/cli/main.js'));

const declaringUnbound = (ns: string, name: string) =>
  declaringServiceAccount(ns, name, {
    durationSeconds: 600,
    audiences: [],
    store: { kind: 'secret', name: `${name}-token` },
    boundToSecret: false,
  });

describeE2E('runtime: mint --from progress on a terminal', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  const dist = join(tempDir('mint-progress-'), 'dist');
  const args = (): string[] => ['mint', '--from', dist, '--kubeconfig', E2E_KUBECONFIG as string];

  const storedTokens = async (): Promise<string[]> => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const secrets = await Promise.all(
      NAMES.map((n) => core.readNamespacedSecret({ name: `${n}-token`, namespace: ns })),
    );
    return secrets.map((s) => Buffer.from(s.data!.token, 'base64').toString());
  };

  beforeAll(async () => {
    kc = adminKubeConfig();
    ns = await createNamespace(kc, 'rt-progress');
    for (const name of NAMES) await createServiceAccountWithRole(kc, ns, name, []);
    mkdirSync(dist);
    writeFileSync(
      join(dist, 'app.k8s.yaml'),
      NAMES.map((n) => stringify(declaringUnbound(ns, n))).join('---\n'),
    );
  });

  const runs = hasScript && hasBuild ? test : test.skip;
  if (!hasScript) console.warn("SKIPPED progress e2e: util-linux 'script' is not installed");
  if (!hasBuild) console.warn('SKIPPED progress e2e: lib/ is not built (npm run build)');

  runs('a terminal shows the progress counter; pipes do not; neither shows a token', async () => {
    // `script -c` runs the command through a shell: quote every argument.
    const command = ['node', BIN, ...args()].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const onTerminal = spawnSync('script', ['-qfec', command, '/dev/null'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(onTerminal.status).toBe(0);
    const terminalOutput = onTerminal.stdout;
    expect(terminalOutput).toContain('minting 3/3');
    expect(terminalOutput).toMatch(/3 minted, 0 failed/);
    const afterTerminal = await storedTokens();

    const piped = spawnSync('node', [BIN, ...args()], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    expect(piped.status).toBe(0);
    const pipedOutput = piped.stdout + piped.stderr;
    expect(pipedOutput).toMatch(/3 minted, 0 failed/);
    expect(pipedOutput).not.toContain('minting ');
    const afterPipes = await storedTokens();

    for (const token of [...afterTerminal, ...afterPipes]) {
      expect(token.length).toBeGreaterThan(0);
      expect(terminalOutput).not.toContain(token);
      expect(pipedOutput).not.toContain(token);
    }
  });
});
