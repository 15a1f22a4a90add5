/**
 * `access-tokens lint PATH...`: the least-privilege lint over any manifests (files or folders
 * of YAML/JSON: synthesized output, a Helm chart's output, `kubectl get -o yaml`).
 * Exit 0 when nothing reaches `--fail-on` (default: unacknowledged errors), 1 when something
 * does, 2 for usage errors, 3 when a file did not parse (the run was incomplete; the rest was
 * still linted).
 */
import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { packageVersion } from '../version.js';
import { printData } from './_output.js';

interface LintFlags {
  readonly output?: 'json' | 'yaml' | 'sarif';
  readonly failOn: 'error' | 'warning' | 'never';
  readonly enable?: string[];
  readonly disable?: string[];
  readonly acknowledgements?: string;
  readonly baseline?: string;
  readonly writeBaseline?: string;
  readonly bySubject?: boolean;
  readonly defaultNamespace?: string;
  readonly builtinRoles: boolean;
}

/** Exit code of a lint that read every object it could, but not every file. */
export const LINT_INCOMPLETE = 3;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',')];

/** Registers `lint`. */
export function registerLint(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('lint <path...>')
    .description(
      'report risky RBAC and token settings in manifests (files or folders of YAML/JSON); exit 1 on unacknowledged errors',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['json', 'yaml', 'sarif']),
    )
    .addOption(
      new Option('--fail-on <severity>', 'the least severity that fails the run')
        .choices(['error', 'warning', 'never'])
        .default('error'),
    )
    .option(
      '--enable <rule>',
      'run only these risk rules (repeatable, or comma-separated)',
      collect,
    )
    .option(
      '--disable <rule>',
      'do not run these risk rules (repeatable, or comma-separated)',
      collect,
    )
    .option('--acknowledgements <file>', 'YAML file of {rule, object, reason} acknowledgements')
    .option('--baseline <file>', 'fail only on findings not in this baseline')
    .option('--write-baseline <file>', 'write the unacknowledged findings as a baseline')
    .option('--by-subject', 'group the findings by the ServiceAccount, user or group holding them')
    .option(
      '--default-namespace <ns>',
      'namespace of namespaced objects that name none (kubectl apply -n)',
    )
    .option('--no-builtin-roles', "do not resolve bindings to Kubernetes' bootstrap roles");
  cmd.action(async (paths: string[], flags: LintFlags) => {
    const { lintPaths } = await import('../../rbac/lint-paths.js');
    let run;
    try {
      run = await lintPaths(paths, {
        defaultNamespace: flags.defaultNamespace,
        enable: flags.enable,
        disable: flags.disable,
        builtinRoles: flags.builtinRoles,
        acknowledgementsFile: flags.acknowledgements,
        baselineFile: flags.baseline,
      });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const { manifests, report } = run;
    if (flags.writeBaseline) {
      const { baselineOf } = await import('../../rbac/lint-baseline.js');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        flags.writeBaseline,
        `${JSON.stringify(baselineOf(report.findings), null, 2)}\n`,
      );
    }
    const failing = report.findings.filter(
      (f) =>
        f.acknowledgedReason === undefined &&
        f.baselined !== true &&
        (flags.failOn === 'warning' || (flags.failOn === 'error' && f.severity === 'error')),
    );
    if (manifests.failures.length > 0) setExitCode(LINT_INCOMPLETE);
    else if (failing.length > 0) setExitCode(ExitCode.FINDINGS);
    for (const failure of manifests.failures) io.stderr(`error: ${failure.message}\n`);
    // A CI step that lints before synth must not pass on an empty folder.
    if (manifests.objects.length === 0 && manifests.failures.length === 0)
      throw new CliError(
        `no kubernetes objects found in ${paths.join(', ')}: nothing was linted; synthesize or render the manifests first (e.g. cdk8s synth) and pass the files or folders that hold them`,
      );
    if (flags.output === 'sarif') {
      const { toSarif } = await import('../../rbac/lint-sarif.js');
      const cwd = process.cwd();
      const sarif = toSarif(report, {
        toolVersion: packageVersion(),
        relativePath: (f) => relative(cwd, f),
      });
      io.stdout(`${JSON.stringify(sarif, null, 2)}\n`);
      return;
    }
    if (flags.output) {
      const { fingerprintsOf } = await import('../../rbac/finding-fingerprint.js');
      const prints = fingerprintsOf(report.findings);
      const byFinding = new Map(report.findings.map((f, i) => [f, prints[i]]));
      await printData(io, flags.output, {
        tool: { name: 'access-tokens lint', version: packageVersion() },
        ...report,
        findings: report.findings.map((f) => ({ ...f, fingerprint: byFinding.get(f) })),
        errors: report.errors.map((f) => ({ ...f, fingerprint: byFinding.get(f) })),
        failures: manifests.failures,
        skipped: manifests.skipped,
        acknowledgementProblems: run.acknowledgementProblems,
        staleAcknowledgements: run.staleAcknowledgements,
      });
      return;
    }
    await printText(io, run, flags);
    const { errors, warnings, acknowledged, baselined } = report.counts;
    const verdict =
      manifests.failures.length > 0 ? 'INCOMPLETE' : failing.length > 0 ? 'FAILED' : 'passed';
    io.stdout(
      `${verdict}: ${plural(manifests.objects.length, 'object')} checked, ${plural(errors, 'unacknowledged error')}, ${plural(warnings, 'warning')}, ${acknowledged} acknowledged` +
        (baselined ? `, ${baselined} in the baseline` : '') +
        (report.problems.length
          ? `, ${plural(report.problems.length, 'rejected acknowledgement')}`
          : '') +
        (manifests.skipped.length
          ? `, ${plural(manifests.skipped.length, 'non-kubernetes document')} skipped`
          : '') +
        (manifests.failures.length
          ? `, ${plural(manifests.failures.length, 'file')} not parsed`
          : '') +
        '\n',
    );
  });
}

async function printText(
  io: CliIo,
  run: Awaited<ReturnType<typeof import('../../rbac/lint-paths.js').lintPaths>>,
  flags: LintFlags,
): Promise<void> {
  const { formatFindings, formatLocation } = await import('../../rbac/lint.js');
  const { formatHolder, formatSubject, holderScope } = await import('../../rbac/risk-holders.js');
  const { report } = run;
  if (flags.bySubject) {
    const { findingsBySubject } = await import('../../rbac/lint-by-subject.js');
    for (const group of findingsBySubject(report.findings)) {
      io.stdout(`${formatSubject(group.subject)}\n`);
      for (const { finding, holder } of group.findings) {
        const where = holderScope(holder);
        const status = finding.acknowledgedReason !== undefined ? ' (acknowledged)' : '';
        io.stdout(
          `  ${finding.severity}${status} ${finding.id} ${where} through ${holder.binding.kind} ${holder.binding.name}: ${finding.location ? formatLocation(finding.location) : ''}: ${finding.message}\n`,
        );
      }
      io.stdout('\n');
    }
  } else {
    const text = formatFindings(report.findings);
    if (text) io.stdout(`${text}\n\n`);
    const held = report.findings.filter((f) => f.holders && f.holders.length > 0);
    if (held.length > 0 && flags.output === undefined) {
      // who holds each role's risk, once per role
      const seen = new Set<string>();
      for (const f of held) {
        const key = f.location ? formatLocation({ ...f.location, ruleIndex: undefined }) : '';
        if (seen.has(key)) continue;
        seen.add(key);
        io.stdout(`held: ${key}: ${f.holders!.map(formatHolder).join('; ')}\n`);
      }
      io.stdout('\n');
    }
  }
  const unbound = new Set(
    report.findings
      .filter((f) => f.unbound && f.location)
      .map((f) => formatLocation({ ...f.location!, ruleIndex: undefined })),
  );
  for (const role of unbound)
    io.stdout(
      `unbound: ${role}: no binding of these manifests binds it (errors lowered to warnings)\n`,
    );
  for (const p of report.problems)
    io.stdout(`problem: ${formatLocation(p.location)}: ${p.message}\n`);
  for (const p of run.acknowledgementProblems) io.stdout(`problem: ${p}\n`);
  const { formatFileAcknowledgement } = await import('../../rbac/acknowledgement-file.js');
  for (const a of run.staleAcknowledgements)
    io.stdout(`stale acknowledgement: ${formatFileAcknowledgement(a)} matches no finding\n`);
}
