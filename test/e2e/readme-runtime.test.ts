/**
 * The README's library example runs as written against the cluster: its code block, with only
 * the namespace changed, as a program of its own that imports `cdk8s-access-tokens/runtime` (the
 * built package), in a folder holding the example app's dist/, applied to the cluster.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import * as k8s from '@kubernetes/client-node';
import { buildExampleApp } from '../../examples/app.js';
import { parseManifests } from '../../src/rbac/manifest-reader.js';
import { inspectToken } from '../../src/runtime/index.js';
import {
  adminKubeConfig,
  describeE2E,
  E2E_KUBECONFIG,
  uniqueNamespace,
  servedByTestServer,
} from './cluster.js';
import { tempDir } from '../temp-dir.js';

const root = new URL('../..', import.meta.url).pathname;

/** The README's one TypeScript block that uses the runtime. */
function runtimeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((code) => code.includes("from 'cdk8s-access-tokens/runtime'"));
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

describeE2E('the README runtime example', () => {
  const namespace = uniqueNamespace('e2e-readme');
  const kc = adminKubeConfig();
  let run: { status: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    // GIVEN the example app synthesized into WORK/dist and applied, in a namespace of its own
    const work = tempDir('readme-runtime-');
    const app = new App({ outdir: join(work, 'dist') });
    buildExampleApp(app, namespace);
    app.synth();
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const text = readFileSync(join(work, 'dist', 'access.k8s.yaml'), 'utf8');
    for (const obj of parseManifests(text, 'dist').filter(servedByTestServer))
      await objects.create(obj as k8s.KubernetesObject);
    // ... and the README's block as a program inside the package (so that its own name
    // resolves to the build in lib/), the namespace being the only change
    const code = runtimeExample();
    expect(code).toContain("connect({ namespace: 'shop' })");
    const program = join(tempDir('readme-runtime-', join(root, 'lib')), 'example.mjs');
    writeFileSync(program, code.replace("namespace: 'shop'", `namespace: '${namespace}'`));
    // WHEN it runs in WORK, configured as kubectl would be
    const result = spawnSync(process.execPath, [program], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: work, KUBECONFIG: E2E_KUBECONFIG },
    });
    run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
  });

  test('it succeeds: the deployer may patch web, and every declared token was minted', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`serviceAccount: 'deployer'`);
    expect(run.stdout).toContain(`namespace: '${namespace}'`);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('true []');
  });

  test('the token is in the Secret and nowhere in the output', async () => {
    const secret = await kc
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret({ name: 'deployer-token', namespace });
    const token = Buffer.from(secret.data?.token ?? '', 'base64').toString('utf8');
    expect(inspectToken(token).subject).toBe(`system:serviceaccount:${namespace}:deployer`);
    for (const part of token.split('.')) expect(run.stdout).not.toContain(part);
  });
});
