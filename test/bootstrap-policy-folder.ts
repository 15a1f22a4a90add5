/**
 * The bootstrap policy data of a folder under data/bootstrap-policy/, as scripts/bootstrap-policy.mjs
 * makes it (run as a process, into a temporary folder), so that tests compare vendored releases
 * through the one reading of the testdata that also produces src/rbac/bootstrap-policy.data.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../src/rbac/kube-object.js';
import { tempDir } from './temp-dir.js';

/** The repository's root folder. */
export const REPO_ROOT = new URL('..', import.meta.url).pathname;

/** What the script writes for a folder. */
export interface BootstrapPolicyData {
  readonly version: string;
  readonly sources: Readonly<Record<string, string>>;
  readonly objects: readonly KubeObject[];
}

/** Runs the script on `data/bootstrap-policy/<version>` into `out`; throws when it fails. */
export function runBootstrapPolicyScript(version: string, out: string): void {
  const { status, stderr } = spawnSync(
    process.execPath,
    ['scripts/bootstrap-policy.mjs', `data/bootstrap-policy/v${version}`, version, out],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (status !== 0) throw new Error(`scripts/bootstrap-policy.mjs failed: ${stderr}`);
}

/** The data of `data/bootstrap-policy/v<version>`. */
export function bootstrapPolicyOf(version: string): BootstrapPolicyData {
  const out = join(tempDir('bootstrap-policy-'), 'data.json');
  runBootstrapPolicyScript(version, out);
  return JSON.parse(readFileSync(out, 'utf8')) as BootstrapPolicyData;
}
