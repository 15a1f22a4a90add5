/**
 * How redaction's cost grows with the length of a text: `redactSecrets` on texts of growing
 * length (a long run without dots, the input that once took quadratic time, and log-like lines
 * with cut JWTs) against a baseline measured in the same run: one linear regular-expression
 * scan of the same text. The ratio should stay about the same at every length; a ratio that
 * grows with the length means redaction is no longer linear.
 *
 *   npx tsc -p tsconfig.json && node lib/bench/redact.js [--runs 7] [--sizes 10000,100000,1000000]
 *
 * A script, not a test: it prints figures measured in one run and asserts nothing.
 */
import { redactSecrets } from '../src/runtime/redact.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const RUNS = Number(flag('--runs', '7'));
const SIZES = flag('--sizes', '10000,100000,1000000').split(',').map(Number);

const CUT_JWT =
  'eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpkZXBsb3llciJ9.' +
  'Qm9ndXNTaWduYXR1cmUtMTIzNDU2Nzg5MC1hYmNkZWZnaGlqa2xtbm9w';
const texts: readonly { label: string; make: (n: number) => string }[] = [
  { label: 'run without dots', make: (n) => 'a-'.repeat(n / 2) },
  {
    label: 'log lines, cut JWTs',
    make: (n) => {
      const line = `level=warn msg="retrying" path=/api/v1/x.y.z token ...${CUT_JWT}\n`;
      return line.repeat(Math.ceil(n / line.length)).slice(0, n);
    },
  },
];

/** The baseline: one linear pass of a simple regular expression over the same text. */
function scan(text: string): number {
  return text.replace(/[A-Za-z0-9_-]+/g, 'x').length;
}

function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const { label, make } of texts) {
  const ratios: number[] = [];
  for (const size of SIZES) {
    const text = make(size);
    redactSecrets(text); // warm-up
    scan(text);
    // Each figure covers about 2 million characters, so that short texts are not timer noise.
    const loops = Math.max(1, Math.round(2_000_000 / size));
    const repeat = (work: () => unknown) => () => {
      for (let k = 0; k < loops; k++) work();
    };
    const redact: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      redact.push(cpuMs(repeat(() => redactSecrets(text))) / loops);
      base.push(cpuMs(repeat(() => scan(text))) / loops);
    }
    const ratio = median(redact) / Math.max(median(base), 0.001);
    ratios.push(ratio);
    console.log(
      `${label.padEnd(20)} ${String(size).padStart(9)} chars  redact ${median(redact).toFixed(2).padStart(8)} ms` +
        `  scan ${median(base).toFixed(2).padStart(7)} ms  ${ratio.toFixed(2)}x the scan`,
    );
  }
  const growth = ratios[ratios.length - 1] / ratios[0];
  console.log(
    `${label.padEnd(20)} growth of the ratio from ${SIZES[0]} to ${SIZES[SIZES.length - 1]} chars: ${growth.toFixed(2)} (about 1: linear)`,
  );
}
