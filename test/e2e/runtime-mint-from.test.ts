/**
 * `access-tokens mint --from DIR` over synthesized manifests: every declared token is minted
 * and stored where declared; a failure is reported after all the others were done. The
 * manifests are written by hand here in the annotation contract's format (version 1).
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { TOKEN_DECLARATION_ANNOTATION } from '../../src/contract/token-declaration.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { inspectToken } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  capturedOutput,
  createServiceAccountWithRole,
  declaringServiceAccount,
  runCli,
} from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

describeE2E('runtime: mint --from manifests', () => {
  let kc: k8s.KubeConfig;
  let ns: string;
  const dir = tempDir('mint-from-');
  const dist = join(dir, 'dist');
  const tokens: string[] = [];

  beforeAll(async () => {
    kc = adminKubeConfig();
    ns = await createNamespace(kc, 'rt-from');
    for (const name of ['deployer', 'reader', 'piper'])
      await createServiceAccountWithRole(kc, ns, name, []);
    await kc.makeApiClient(k8s.CoreV1Api).createNamespacedSecret({
      namespace: ns,
      body: {
        metadata: { name: 'deployer-token', labels: { 'access-tokens.cdk8s.io/managed': 'true' } },
        type: 'Opaque',
      },
    });
    const docs = [
      declaringServiceAccount(ns, 'deployer', {
        durationSeconds: 3600,
        audiences: [],
        store: { kind: 'secret', name: 'deployer-token' },
        boundToSecret: true,
      }),
      declaringServiceAccount(ns, 'reader', {
        durationSeconds: 1200,
        audiences: ['https://kubernetes.default.svc'],
        store: { kind: 'kubeconfigFile', path: 'reader.kubeconfig' },
        boundToSecret: false,
      }),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: ns } },
    ];
    mkdirSync(dist);
    writeFileSync(join(dist, 'app.k8s.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  });

  test('mints every declared token and stores it where declared; the summary has no token', async () => {
    const out = await runCli([
      'mint',
      '--from',
      dist,
      '--out-dir',
      dir,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(ExitCode.OK);
    expect(out.stdout).toMatch(
      new RegExp(`${ns} +deployer +minted +secret/deployer-token -n ${ns}`),
    );
    expect(out.stdout).toMatch(/reader +minted +.*reader\.kubeconfig/);
    expect(out.stdout).toMatch(/2 minted, 0 failed/);

    const secret = await kc
      .makeApiClient(k8s.CoreV1Api)
      .readNamespacedSecret({ name: 'deployer-token', namespace: ns });
    const deployerToken = Buffer.from(secret.data!.token, 'base64').toString();
    tokens.push(deployerToken);
    const info = inspectToken(deployerToken);
    expect(info.serviceAccount).toMatchObject({
      namespace: ns,
      serviceAccount: 'deployer',
      boundObject: { kind: 'Secret' },
    });
    expect(info.lifetimeSeconds).toBe(3600);

    const file = join(dir, 'reader.kubeconfig');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const readerKc = new k8s.KubeConfig();
    readerKc.loadFromFile(file);
    const readerToken = readerKc.getCurrentUser()!.token!;
    tokens.push(readerToken);
    expect(inspectToken(readerToken).lifetimeSeconds).toBe(1200);
    expect(readFileSync(file, 'utf8')).toContain(readerToken);
  });

  test('a stdout store writes only the token to stdout and the report to stderr', async () => {
    const only = join(dir, 'stdout-only');
    mkdirSync(only);
    writeFileSync(
      join(only, 'a.yaml'),
      stringify(
        declaringServiceAccount(ns, 'piper', {
          durationSeconds: 600,
          audiences: [],
          store: { kind: 'stdout' },
          boundToSecret: false,
        }),
      ),
    );
    const out = await runCli(['mint', '--from', only, '--kubeconfig', E2E_KUBECONFIG as string]);
    expect(out.code).toBe(0);
    const token = out.stdout.trim();
    expect(inspectToken(token).serviceAccount.serviceAccount).toBe('piper');
    capturedOutput.splice(capturedOutput.indexOf(out.stdout), 1); // asked for
    tokens.push(token);
    expect(out.stderr).toMatch(/piper +minted +stdout/);
  });

  test('a failing declaration is reported, the others are minted, and the exit code says why', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    writeFileSync(
      join(mixed, 'a.yaml'),
      [
        declaringServiceAccount(ns, 'ghost', {
          durationSeconds: 600,
          audiences: [],
          store: { kind: 'kubeconfigFile', path: 'ghost.kubeconfig' },
          boundToSecret: false,
        }),
        declaringServiceAccount(ns, 'reader', {
          durationSeconds: 600,
          audiences: [],
          store: { kind: 'kubeconfigFile', path: 'reader2.kubeconfig' },
          boundToSecret: false,
        }),
      ]
        .map((d) => stringify(d))
        .join('---\n'),
    );
    const out = await runCli([
      'mint',
      '--from',
      mixed,
      '--out-dir',
      dir,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(out.code).toBe(ExitCode.NOT_FOUND);
    expect(out.stdout).toMatch(
      /ghost +FAILED +- *\n[\s\S]*failed: [^/]+\/ghost: cannot create serviceaccounts\/token 'ghost'.*not found/,
    );
    expect(out.stdout).toMatch(/1 minted, 1 failed/);
    expect(statSync(join(dir, 'reader2.kubeconfig')).isFile()).toBe(true);
  });

  test('a malformed or newer declaration is a usage error naming the ServiceAccount and file', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'a.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'x',
          namespace: ns,
          annotations: { [TOKEN_DECLARATION_ANNOTATION]: '{"version":2}' },
        },
      }),
    );
    const out = await runCli(['mint', '--from', bad, '--kubeconfig', E2E_KUBECONFIG as string]);
    expect(out.code).toBe(ExitCode.USAGE);
    expect(out.stderr).toMatch(
      /ServiceAccount .*\/x in .*a\.yaml: annotation access-tokens\.cdk8s\.io\/token: version is 2, expected 1/,
    );
  });

  test('a kubeconfigFile store outside the output folder is refused before anything is minted', async () => {
    const escape = join(dir, 'escape');
    mkdirSync(escape);
    writeFileSync(
      join(escape, 'a.yaml'),
      stringify({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'reader',
          namespace: ns,
          annotations: {
            [TOKEN_DECLARATION_ANNOTATION]: JSON.stringify({
              version: 1,
              durationSeconds: 600,
              audiences: [],
              store: { kind: 'kubeconfigFile', path: join(dir, 'stolen.kubeconfig') },
              boundToSecret: false,
            }),
          },
        },
      }),
    );
    const out = await runCli(['mint', '--from', escape, '--kubeconfig', E2E_KUBECONFIG as string]);
    expect(out.code).toBe(ExitCode.USAGE);
    expect(out.stderr).toContain(
      `token.store.path must be a relative path inside the output folder, got '${join(dir, 'stolen.kubeconfig')}'`,
    );
    expect(() => statSync(join(dir, 'stolen.kubeconfig'))).toThrow();
  });

  const writeDeclarations = (folder: string, stores: Record<string, string>): void => {
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'app.yaml'),
      Object.entries(stores)
        .map(([name, path]) =>
          stringify(
            declaringServiceAccount(ns, name, {
              durationSeconds: 600,
              audiences: [],
              store: { kind: 'kubeconfigFile', path },
              boundToSecret: false,
            }),
          ),
        )
        .join('---\n'),
    );
  };

  test('a kubeconfig file goes into folders created for it (0700), --out-dir included', async () => {
    writeDeclarations(join(dir, 'nested'), { reader: 'ci/tokens/reader.kubeconfig' });
    // WHEN --out-dir does not exist yet, nor the declared path's folders
    const outDir = join(dir, 'fresh-out');
    const out = await runCli([
      'mint',
      '--from',
      join(dir, 'nested'),
      '--out-dir',
      outDir,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    // THEN the file is written 0600, in folders made 0700
    expect(out.code).toBe(ExitCode.OK);
    const file = join(outDir, 'ci', 'tokens', 'reader.kubeconfig');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const folder of [outDir, join(outDir, 'ci'), join(outDir, 'ci', 'tokens')])
      expect(statSync(folder).mode & 0o777).toBe(0o700);
    const readerKc = new k8s.KubeConfig();
    readerKc.loadFromFile(file);
    tokens.push(readerKc.getCurrentUser()!.token!);
    expect(out.stdout).toMatch(/reader +minted +.*ci\/tokens\/reader\.kubeconfig/);
  });

  test('a folder that cannot be made fails only its own token, naming the folder', async () => {
    writeDeclarations(join(dir, 'blocked-decl'), {
      reader: 'ok/reader.kubeconfig',
      piper: 'blocked/piper.kubeconfig',
    });
    const outDir = join(dir, 'blocked-out');
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'blocked'), 'a file where a folder would go\n');
    const out = await runCli([
      'mint',
      '--from',
      join(dir, 'blocked-decl'),
      '--out-dir',
      outDir,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(out.code).toBe(ExitCode.USAGE);
    expect(out.stdout).toMatch(/1 minted, 1 failed/);
    expect(out.stdout + out.stderr).toContain(
      `cannot create the folder '${join(outDir, 'blocked')}' for the token file '${join(outDir, 'blocked', 'piper.kubeconfig')}' (`,
    );
    const readerKc = new k8s.KubeConfig();
    readerKc.loadFromFile(join(outDir, 'ok', 'reader.kubeconfig'));
    tokens.push(readerKc.getCurrentUser()!.token!);
  });

  afterAll(() => {
    const haystack = capturedOutput.join('\n');
    for (const token of tokens) expect(haystack.includes(token)).toBe(false);
  });
});
