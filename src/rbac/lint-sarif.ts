/**
 * The lint report as SARIF 2.1.0 (`access-tokens lint -o sarif`), for GitHub code scanning and
 * other SARIF consumers: one rule per risk rule (stable id, help URI into docs/risk-rules.md),
 * one result per unacknowledged finding with the file and line of its object and a stable
 * fingerprint; acknowledged findings are results with an accepted suppression.
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import type { Finding } from './finding.js';
import { fingerprintsOf } from './finding-fingerprint.js';
import type { LintReport } from './lint.js';
import { RISK_RULES } from './risks/risk-rules.js';

/** Where the rule docs live: each rule's help URI is this plus `#rule-id`. */
export const RISK_RULES_DOC_URI =
  'https://github.com/cdk8s-access-tokens/cdk8s-access-tokens/blob/main/docs/risk-rules.md';

/** Options of `toSarif`. */
export interface SarifOptions {
  /** The tool's version, e.g. `0.1.0`. */
  readonly toolVersion: string;
  /**
   * Makes each file path relative for `artifactLocation.uri` (SARIF consumers resolve it from the
   * repository root).
   * @default - paths as given
   */
  readonly relativePath?: (file: string) => string;
}

/** A SARIF log: plain JSON. */
export type SarifLog = Record<string, unknown>;

function uriOf(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}

function resultOf(
  f: Finding,
  ruleIndex: number,
  fingerprint: string,
  options: SarifOptions,
): Record<string, unknown> {
  const l = f.location;
  const object = l ? `${l.kind} ${l.namespace ? `${l.namespace}/` : ''}${l.name}` : 'rules';
  const at = l?.ruleIndex !== undefined ? ` rules[${l.ruleIndex}]` : '';
  const physical = l?.source
    ? {
        physicalLocation: {
          artifactLocation: { uri: uriOf(options.relativePath?.(l.source) ?? l.source) },
          ...(l.line !== undefined ? { region: { startLine: l.line } } : {}),
        },
      }
    : {};
  return {
    ruleId: f.id,
    ruleIndex,
    level: f.severity === 'error' ? 'error' : 'warning',
    message: { text: `${object}${at}: ${f.message}` },
    locations: [
      {
        ...physical,
        logicalLocations: [{ fullyQualifiedName: `${object}${at}`, kind: 'object' }],
      },
    ],
    partialFingerprints: { 'accessTokensFinding/v1': fingerprint },
    properties: {
      ...(l?.documentIndex !== undefined ? { documentIndex: l.documentIndex } : {}),
      ...(f.holders ? { holders: f.holders } : {}),
      ...(f.unbound ? { unbound: true } : {}),
      ...(f.baselined ? { baselined: true } : {}),
    },
    ...(f.baselined ? { baselineState: 'unchanged' } : {}),
    ...(f.acknowledgedReason !== undefined
      ? {
          suppressions: [
            { kind: 'external', status: 'accepted', justification: f.acknowledgedReason },
          ],
        }
      : {}),
  };
}

/** The report as a SARIF 2.1.0 log with one run. */
export function toSarif(report: LintReport, options: SarifOptions): SarifLog {
  const index = new Map(RISK_RULES.map((r, i) => [r.id, i]));
  const prints = fingerprintsOf(report.findings);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'access-tokens lint',
            semanticVersion: options.toolVersion,
            version: options.toolVersion,
            informationUri: RISK_RULES_DOC_URI,
            rules: RISK_RULES.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              help: { text: `fix: ${r.fix}` },
              helpUri: `${RISK_RULES_DOC_URI}#${r.id}`,
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        results: report.findings.map((f, i) =>
          resultOf(f, index.get(f.id) ?? -1, prints[i], options),
        ),
      },
    ],
  };
}
