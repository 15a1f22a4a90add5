/**
 * `access-tokens lint PATH...`: the least-privilege lint over any manifests (files or folders
 * of YAML/JSON: synthesized output, a Helm chart's output, `kubectl get -o yaml`).
 * Exit 0 when clean or only warnings, 1 when there are unacknowledged errors, 2 for usage
 * errors (a missing or unparsable path).
 */
import type { Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { addOutputFlag, printData } from './_output.js';

interface LintFlags {
  readonly output?: 'json' | 'yaml';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Registers `lint`. */
export function registerLint(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('lint <path...>')
    .description(
      'report risky RBAC and token settings in manifests (files or folders of YAML/JSON); exit 1 on unacknowledged errors',
    );
  addOutputFlag(cmd, ['json', 'yaml']);
  cmd.action(async (paths: string[], flags: LintFlags) => {
    const { readManifestPaths } = await import('../../rbac/manifest-reader.js');
    const { lintManifests, formatFindings, formatLocation } = await import('../../rbac/lint.js');
    let manifests;
    try {
      manifests = await readManifestPaths(paths);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    // A CI step that lints before synth must not pass on an empty folder.
    if (manifests.objects.length === 0)
      throw new CliError(
        `no kubernetes objects found in ${paths.join(', ')}: nothing was linted; synthesize or render the manifests first (e.g. cdk8s synth) and pass the files or folders that hold them`,
      );
    // Audit Policy documents among them get the audit-policy check, in the same report.
    const { withAuditPolicyFindings } = await import('../../rbac/audit-policy-lint.js');
    const report = withAuditPolicyFindings(
      lintManifests(manifests.objects, { sources: manifests.sources }),
      manifests.objects,
      manifests.sources,
    );
    if (report.errors.length > 0) setExitCode(ExitCode.FINDINGS);
    if (flags.output) {
      await printData(io, flags.output, report);
      return;
    }
    const text = formatFindings(report.findings);
    if (text) io.stdout(`${text}\n\n`);
    for (const p of report.problems)
      io.stdout(`problem: ${formatLocation(p.location)}: ${p.message}\n`);
    const { errors, warnings, acknowledged } = report.counts;
    const verdict = errors > 0 ? 'FAILED' : 'passed';
    io.stdout(
      `${verdict}: ${plural(manifests.objects.length, 'object')} checked, ${plural(errors, 'unacknowledged error')}, ${plural(warnings, 'warning')}, ${acknowledged} acknowledged` +
        (report.problems.length
          ? `, ${plural(report.problems.length, 'rejected acknowledgement')}`
          : '') +
        '\n',
    );
  });
}
