/**
 * A credential an exec plugin makes per request is masked in error messages as a kubeconfig's
 * static token is: a server (or an authenticating gateway) that echoes the credential, here a
 * fault proxy answering 500 with it, must not put it on the terminal. The real API server never
 * echoes it; the proxy stands for one that does. The bundled CLI runs in a fresh process, so
 * nothing registered by another test masks it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { tempDir } from '../temp-dir.js';
import { adminKubeConfig, createNamespace, describeE2E } from './cluster.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { createServiceAccountWithRole } from './runtime-fixtures.js';

const BIN = resolve('bin/access-tokens.cjs');

describeE2E('credentials of an exec plugin are masked like static ones', () => {
  const dir = tempDir('exec-credentials-');
  let proxy: FaultProxy;
  let ns: string;
  let credential: string;
  let kubeconfig: string;

  beforeAll(async () => {
    const admin = adminKubeConfig();
    ns = await createNamespace(admin, 'exec-credentials');
    await createServiceAccountWithRole(admin, ns, 'deployer', []);
    credential = admin.getCurrentUser()?.token ?? '';
    expect(credential.length).toBeGreaterThanOrEqual(16);
    proxy = await startFaultProxy(admin);
    // The proxy's kubeconfig, with the user's token given by an exec plugin instead
    const plugin = join(dir, 'plugin.cjs');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: ${JSON.stringify(credential)} } }));\n`,
    );
    const kc = proxy.kubeConfig();
    const user = kc.getCurrentUser()!;
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: process.execPath,
      args: [plugin],
    };
    const config = JSON.parse(kc.exportConfig()) as { users: { name: string; user: object }[] };
    config.users = [{ name: user.name, user: { exec } }];
    kubeconfig = join(dir, 'exec.kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify(config), { mode: 0o600 });
    const check = new k8s.KubeConfig();
    check.loadFromFile(kubeconfig);
    expect(check.getCurrentUser()?.token).toBeUndefined();
  });

  afterAll(() => proxy.close());

  /** The bundled CLI in a fresh process (not spawnSync: the proxy answers from this one). */
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, [BIN, ...args, '--kubeconfig', kubeconfig], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      timeout: 60_000,
    }).then(
      ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
      (err: { code?: number; stdout: string; stderr: string }) => ({
        status: err.code,
        stdout: err.stdout,
        stderr: err.stderr,
      }),
    );

  /** A gateway's answer to `path`: 500, quoting the credential it was sent. */
  const echoCredential = (path: RegExp) =>
    proxy.inject({
      method: 'POST',
      path,
      fault: {
        kind: 'status',
        status: 500,
        body: JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: `internal error handling request with credentials ${credential}`,
          code: 500,
        }),
      },
      times: 5,
    });

  test('a 500 that echoes the exec credential prints it masked (mint: node:https)', async () => {
    // GIVEN a gateway that answers the TokenRequest with the credential it was sent
    echoCredential(/serviceaccounts\/deployer\/token/);
    // WHEN
    const run = await cli(['mint', 'deployer', '-n', ns, '--max-attempts', '1']);
    // THEN the request reached the proxy with the plugin's credential, and the error masks it
    expect(proxy.requests.some((r) => r.injected === 'status')).toBe(true);
    expect(run.status).toBe(6);
    expect(run.stderr).toContain('internal error handling request with credentials [REDACTED]');
    expect(run.stdout + run.stderr).not.toContain(credential);
  });

  test('the same through client-node (can-i asks a SelfSubjectAccessReview)', async () => {
    echoCredential(/selfsubjectaccessreviews/);
    const run = await cli(['can-i', 'get', 'pods', '-n', ns, '--max-attempts', '1']);
    expect(proxy.requests.some((r) => r.injected === 'status' && /selfsubject/.test(r.path))).toBe(
      true,
    );
    expect(run.status).toBe(6);
    expect(run.stderr).toContain('internal error handling request with credentials [REDACTED]');
    expect(run.stdout + run.stderr).not.toContain(credential);
  });
});
