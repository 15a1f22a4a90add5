/**
 * `inspect` without `--verify` must not load @kubernetes/client-node (it starts fast). Runs
 * the built CLI (`npm test` builds first) with a module-resolution hook that reports loads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

test('inspect --token-file never resolves @kubernetes/client-node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
  const token = `${b64({ alg: 'RS256' })}.${b64({ sub: 'system:serviceaccount:a:b', exp: 4102444800, iat: 4102441200 })}.c2ln`;
  writeFileSync(join(dir, 't'), token);
  const hook = join(dir, 'hook.mjs');
  const resolver = `export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.includes('client-node')) process.stderr.write('LOADED client-node\\n'); return r; }`;
  writeFileSync(
    hook,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolver)}));\n`,
  );
  const run = spawnSync(
    process.execPath,
    ['--import', hook, 'bin/access-tokens.cjs', 'inspect', '--token-file', join(dir, 't')],
    // The unbundled modules: test/cli-bundle.test.ts checks the bundle the same way.
    { encoding: 'utf8', env: { ...process.env, ACCESS_TOKENS_UNBUNDLED: '1' } },
  );
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/ServiceAccount: +a\/b/);
  expect(run.stdout + run.stderr).not.toContain(token);
  expect(run.stderr).not.toContain('LOADED');
});
