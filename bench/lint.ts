/**
 * The lint over all 12 projects of ../shared/corpora/real-world-rbac (~1,300 objects), whole
 * process: wall time of `node bin/access-tokens.cjs lint <corpus> --fail-on never` (text and
 * `-o sarif`) against `node -e 0` (starting node itself), alternating, medians and ratios.
 * Runs tsc's modules (ACCESS_TOKENS_UNBUNDLED=1) so that it measures the lint whether or not
 * the bundle is built. The target: under a second.
 *
 *   npx tsc -p tsconfig.json && node lib/bench/lint.js [--runs 9]
 *
 * A script, not a test: it prints figures measured in one run and asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'access-tokens.cjs');
const CORPUS = join(ROOT, '..', 'shared', 'corpora', 'real-world-rbac');
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 9;

const commands: readonly { label: string; args: string[] }[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'lint corpus', args: [BIN, 'lint', CORPUS, '--fail-on', 'never'] },
  {
    label: 'lint corpus -o sarif',
    args: [BIN, 'lint', CORPUS, '--fail-on', 'never', '-o', 'sarif'],
  },
];

function timeOnce(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    env: { ...process.env, ACCESS_TOKENS_UNBUNDLED: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = commands.map(() => [] as number[]);
for (let i = 0; i < RUNS; i++) commands.forEach((c, j) => times[j].push(timeOnce(c.args)));
const floor = median(times[0]);
commands.forEach((c, j) => {
  const m = median(times[j]);
  console.log(
    `${c.label.padEnd(22)} median ${m.toFixed(0).padStart(5)} ms  ${(m / floor).toFixed(2)}x node -e 0`,
  );
});
