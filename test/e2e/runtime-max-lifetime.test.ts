/**
 * A server with `--service-account-max-token-expiration` shortens longer requests silently;
 * the runtime reads the real lifetime from the token's `exp` and says so. Runs when
 * E2E_MAX_TOKEN_SECONDS names the server's maximum (.ci/run starts its server with 2h).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { inspectToken, mintToken } from '../../src/runtime/index.js';
import { adminKubeConfig, createNamespace, describeE2E, E2E_KUBECONFIG } from './cluster.js';
import {
  createServiceAccountWithRole,
  declaringServiceAccount,
  runCli,
} from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

const max = Number(process.env.E2E_MAX_TOKEN_SECONDS ?? '0');
if (!max)
  console.warn(
    "SKIPPED max-lifetime e2e: set E2E_MAX_TOKEN_SECONDS to the server's --service-account-max-token-expiration",
  );

describeE2E('runtime: a server that caps token lifetimes', () => {
  const run = max ? test : test.skip;

  run('a longer request gets the maximum, and the runtime reports the shortening', async () => {
    // GIVEN
    const kc = adminKubeConfig();
    const ns = await createNamespace(kc, 'rt-max');
    await createServiceAccountWithRole(kc, ns, 'long', []);
    // WHEN asking for four times the maximum
    const minted = await mintToken({
      kubeconfig: E2E_KUBECONFIG,
      namespace: ns,
      serviceAccount: 'long',
      durationSeconds: 4 * max,
    });
    // THEN the claims carry the maximum, and the warning names both figures
    expect(minted.lifetimeSeconds).toBe(max);
    expect(inspectToken(minted.token).lifetimeSeconds).toBe(max);
    expect(minted.warnings).toEqual([
      expect.stringContaining(`shortened the token's lifetime from ${4 * max} s to ${max} s`),
    ]);
    // AND the CLI prints the warning on stderr, never the token
    const cli = await runCli([
      'mint',
      'long',
      '-n',
      ns,
      '--duration',
      `${(4 * max) / 3600}h`,
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(cli.code).toBe(ExitCode.OK);
    const shortened = new RegExp(
      `^warning: ${ns}/long: .*shortened the token's lifetime from ${4 * max} s to ${max} s`,
      'gm',
    );
    expect(cli.stderr.match(shortened)).toHaveLength(1);
    expect(cli.stdout + cli.stderr).not.toContain(minted.token);
    // AND mint --from reports it once too (in its table run, not also as a log line)
    const dist = tempDir('max-lifetime-');
    writeFileSync(
      join(dist, 'app.yaml'),
      stringify(
        declaringServiceAccount(ns, 'long', {
          durationSeconds: 4 * max,
          audiences: [],
          store: { kind: 'kubeconfigFile', path: 'long.kubeconfig' },
          boundToSecret: false,
        }),
      ),
    );
    const from = await runCli([
      'mint',
      '--from',
      dist,
      '--out-dir',
      join(dist, 'out'),
      '--kubeconfig',
      E2E_KUBECONFIG as string,
    ]);
    expect(from.code).toBe(ExitCode.OK);
    expect(from.stderr.match(shortened)).toHaveLength(1);
  });
});
