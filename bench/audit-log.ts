/**
 * Audit-log analysis speed and memory: `access-tokens audit report` and `audit rules` on a
 * generated, realistic audit log (kube-apiserver's JSON lines: many identities, verbs,
 * resources, namespaces, watches with two stages, impersonation, credential ids), against
 * bare line-by-line `JSON.parse` of the same file in the same run. Each measurement runs in a
 * child process of its own, so that its peak memory (maxRSS) is its own.
 *
 *   npm run build && node lib/bench/audit-log.js [--sizes 100,500,1000] [--repeats 1] [--dir /tmp]
 *     [--keep] [--fixed-variety]
 *
 * Sizes are in MB; the logs are generated into --dir (never into the repository) and deleted
 * after the run unless --keep. A script, not a test: it prints figures and asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAuditLog } from './_audit-log-generator.js';

const MB = 1024 * 1024;

// ---------------------------------------------------------------- measured children

type Mode = 'split' | 'parse' | 'observe' | 'aggregate' | 'report' | 'rules';

/** Runs one mode in this process and prints `{cpu, wall, maxRssMb}` as JSON. */
async function child(mode: Mode, file: string): Promise<void> {
  const { forEachLogLine } = await import('../src/runtime/audit/log-lines.js');
  const { main } = await import('../src/cli/main.js');
  // The CLI's output goes where a user's would, through write(2) to a file: /dev/null, so that
  // encoding and writing it are counted but no disk is.
  const sink = openSync('/dev/null', 'w');
  const io = {
    stdout: (t: string) => void writeSync(sink, t),
    stderr: (t: string) => void process.stderr.write(t),
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let check = 0;
  if (mode === 'split') {
    await forEachLogLine([file], (line) => {
      check += line.length;
    });
  } else if (mode === 'parse') {
    // The baseline: read line by line (the same reader) and JSON.parse each line, nothing else.
    await forEachLogLine([file], (line) => {
      check += (JSON.parse(line) as { verb: string }).verb.length;
    });
  } else if (mode === 'observe' || mode === 'aggregate') {
    // Where the time goes: reading each line as a request (from its bytes, as the CLI does;
    // JSON.parse for the lines the scanner leaves), then also aggregating.
    const { forEachLogLineBytes } = await import('../src/runtime/audit/log-lines.js');
    const { AuditEventScanner } = await import('../src/runtime/audit/event-scan.js');
    const { auditEventProblem, observedRequestOf } = await import('../src/rbac/audit-event.js');
    const { AuditUsage } = await import('../src/rbac/audit-usage.js');
    const usage = new AuditUsage();
    const scanner = new AuditEventScanner();
    await forEachLogLineBytes([file], (buf, start, end) => {
      if (scanner.scan(buf, start, end)) {
        if (mode === 'aggregate') usage.addEvent(scanner);
        else check += scanner.request().verb.length;
        return;
      }
      const event = JSON.parse(buf.toString('utf8', start, end)) as Record<string, unknown>;
      if (mode === 'aggregate') usage.add(event);
      else if (!auditEventProblem(event)) check += observedRequestOf(event).verb.length;
    });
  } else if (mode === 'report') {
    check = await main(['audit', 'report', '--log', file, '-o', 'json'], io);
  } else {
    check = await main(
      ['audit', 'rules', '--log', file, '--service-account', 'team-7:deployer', '-o', 'code'],
      io,
    );
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  closeSync(sink);
  process.stdout.write(
    JSON.stringify({
      cpu: (cpu.user + cpu.system) / 1e6,
      wall,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      check,
    }),
  );
}

interface Measurement {
  cpu: number;
  wall: number;
  maxRssMb: number;
}

function measure(mode: Mode, file: string): Measurement {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, [self, '--child', mode, file], {
    encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  if (run.status !== 0) throw new Error(`${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Measurement;
}

const LABELS: Record<Mode, string> = {
  split: 'read + split lines only',
  parse: 'JSON.parse per line (baseline)',
  observe: '+ read events as requests',
  aggregate: '+ aggregate (no report)',
  report: 'audit report -o json (CLI)',
  rules: 'audit rules -o code (CLI)',
};

/**
 * Appends `copies` copies of the first `bytes` bytes of `file` to it, 4 MB at a time: a child
 * process starts with its parent's peak memory (`maxRSS` is kept across exec), so the parent
 * must not hold the log.
 */
function appendCopies(file: string, bytes: number, copies: number): void {
  const buf = Buffer.allocUnsafe(4 * MB);
  const fd = openSync(file, 'r+');
  try {
    let end = bytes;
    for (let c = 0; c < copies; c++)
      for (let pos = 0; pos < bytes;) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, bytes - pos), pos);
        writeSync(fd, buf, 0, n, end);
        pos += n;
        end += n;
      }
  } finally {
    closeSync(fd);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function run(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as Mode, process.argv[4]);
  const sizes = arg('--sizes', '100').split(',').map(Number);
  const repeats = Number(arg('--repeats', '1'));
  const dir = arg('--dir', '/tmp');
  const keep = process.argv.includes('--keep');
  // Every log the first size's log repeated: the same variety (identities, request kinds,
  // names, tokens) at every size, to tell memory that grows with the log from memory that
  // grows with the variety the generator adds as it writes more.
  const fixedVariety = process.argv.includes('--fixed-variety');
  const modes: Mode[] = ['split', 'parse', 'observe', 'aggregate', 'report', 'rules'];
  console.log(
    `audit-log bench: sizes ${sizes.join(', ')} MB, ${repeats} repeat(s), node ${process.version}`,
  );
  const rows: string[][] = [];
  for (const size of sizes) {
    const file = join(
      dir,
      `access-tokens-audit-bench-${size}mb${fixedVariety ? '-fixed' : ''}.log`,
    );
    const g0 = performance.now();
    let { bytes, events } = generateAuditLog(file, fixedVariety ? sizes[0] : size);
    if (fixedVariety) {
      const copies = Math.max(1, Math.round(size / sizes[0]));
      appendCopies(file, bytes, copies - 1);
      [bytes, events] = [bytes * copies, events * copies];
    }
    console.log(
      `generated ${file}: ${(bytes / MB).toFixed(0)} MB, ${events} events${fixedVariety ? ` (the ${sizes[0]} MB log repeated)` : ''}, ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    const results = new Map<Mode, Measurement[]>(modes.map((m) => [m, []]));
    try {
      for (let r = 0; r < repeats; r++)
        for (const m of modes) results.get(m)!.push(measure(m, file));
    } finally {
      if (!keep) rmSync(file, { force: true });
    }
    const mb = bytes / MB;
    const summary = (m: Mode) => {
      const list = results.get(m)!;
      return {
        cpu: median(list.map((x) => x.cpu)),
        wall: median(list.map((x) => x.wall)),
        rss: Math.max(...list.map((x) => x.maxRssMb)),
      };
    };
    const base = summary('parse');
    for (const m of modes) {
      const s = summary(m);
      rows.push([
        `${size}`,
        LABELS[m],
        (mb / s.cpu).toFixed(1),
        (mb / s.wall).toFixed(1),
        `${((base.cpu / s.cpu) * 100).toFixed(0)}%`,
        s.rss.toFixed(0),
      ]);
    }
  }
  const header = ['MB', 'WHAT', 'MB/s (cpu)', 'MB/s (wall)', 'vs baseline (cpu)', 'peak RSS MB'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
}

if (
  process.argv[1] &&
  statSync(process.argv[1]).isFile() &&
  fileURLToPath(import.meta.url) === process.argv[1]
) {
  run().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
