/**
 * The lint over files and folders, with everything a CI step asks for: files that do not parse
 * reported while the rest is linted, non-Kubernetes YAML skipped and counted, a default
 * namespace, rule selection, an acknowledgement file (with stale entries) and a baseline. The
 * `lint` command prints what this returns; other checks (e.g. the audit-policy lint) can run
 * beside it on the same `ManifestSet`.
 */
import { readFile } from 'node:fs/promises';
import {
  applyFileAcknowledgements,
  parseAcknowledgementFile,
  type FileAcknowledgement,
} from './acknowledgement-file.js';
import { applyBaseline, parseBaseline } from './lint-baseline.js';
import { auditPolicyFindings } from './audit-policy-lint.js';
import { lintManifests, reportOf, type LintReport } from './lint.js';
import { readManifestPaths, type ManifestSet } from './manifest-reader.js';

/** Options of `lintPaths`. */
export interface LintPathsOptions {
  /** Namespace for namespaced objects that name none (`kubectl apply -n`). @default - none */
  readonly defaultNamespace?: string;
  /** Risk rules to run. @default - all */
  readonly enable?: readonly string[];
  /** Risk rules not to run. @default - none */
  readonly disable?: readonly string[];
  /** Resolve bindings to Kubernetes' bootstrap roles. @default true */
  readonly builtinRoles?: boolean;
  /** An acknowledgement file (YAML). @default - none */
  readonly acknowledgementsFile?: string;
  /** A baseline file written by `--write-baseline`. @default - none */
  readonly baselineFile?: string;
}

/** The outcome of `lintPaths`. */
export interface LintRun {
  /** What was read: objects, failures (files that did not parse), skipped documents. */
  readonly manifests: ManifestSet;
  /** The lint report, with file acknowledgements and the baseline applied. */
  readonly report: LintReport;
  /** Problems of the acknowledgement file's entries (those entries acknowledge nothing). */
  readonly acknowledgementProblems: readonly string[];
  /** File acknowledgements that matched no finding. */
  readonly staleAcknowledgements: readonly FileAcknowledgement[];
}

/**
 * Reads and lints `paths`. Throws (a usage error for the CLI) when a path does not exist, a rule
 * id is unknown, or the acknowledgement or baseline file cannot be read or is malformed.
 */
export async function lintPaths(
  paths: readonly string[],
  options: LintPathsOptions = {},
): Promise<LintRun> {
  const acks = options.acknowledgementsFile
    ? parseAcknowledgementFile(
        await readText(options.acknowledgementsFile, 'acknowledgements file'),
        options.acknowledgementsFile,
      )
    : { acknowledgements: [], problems: [] };
  const baseline = options.baselineFile
    ? parseBaseline(await readText(options.baselineFile, 'baseline'), options.baselineFile)
    : undefined;
  const manifests = await readManifestPaths(paths, {
    keepGoing: true,
    defaultNamespace: options.defaultNamespace,
  });
  const linted = lintManifests(manifests.objects, {
    sources: manifests.sources,
    positions: manifests.positions,
    builtinRoles: options.builtinRoles,
    enable: options.enable,
    disable: options.disable,
  });
  // Audit Policy documents among them get the audit-policy check, in the same report (and
  // the same acknowledgement file and baseline).
  const all = [...linted.findings, ...auditPolicyFindings(manifests.objects, manifests.sources)];
  const { findings, stale } = applyFileAcknowledgements(all, acks.acknowledgements);
  const final = baseline ? applyBaseline(findings, baseline) : findings;
  return {
    manifests,
    report: reportOf(final, linted.problems),
    acknowledgementProblems: acks.problems,
    staleAcknowledgements: stale,
  };
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read ${what} '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
