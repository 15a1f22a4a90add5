/**
 * The seam between the least-privilege lint and the audit-policy check: every audit Policy
 * among the linted objects is checked, and its findings join the lint report in the same
 * shape (same counts, same exit code).
 */
import type { Finding } from './finding.js';
import type { KubeObject } from './kube-object.js';
import { sortFindings, type LintReport, type SourceLookup } from './lint.js';
import { isAuditPolicyDocument } from './audit-policy.js';
import { checkAuditPolicy } from './audit-policy-check.js';

/** The findings of every audit Policy among `objects`. */
export function auditPolicyFindings(
  objects: readonly KubeObject[],
  sources?: SourceLookup,
): Finding[] {
  return objects
    .filter(isAuditPolicyDocument)
    .flatMap((o) => checkAuditPolicy(o, { source: sources?.get(o) }));
}

/** `report` with the audit-policy findings of `objects` added. */
export function withAuditPolicyFindings(
  report: LintReport,
  objects: readonly KubeObject[],
  sources?: SourceLookup,
): LintReport {
  const added = auditPolicyFindings(objects, sources);
  if (added.length === 0) return report;
  const errors = added.filter((f) => f.severity === 'error');
  return {
    ...report,
    findings: sortFindings([...report.findings, ...added]),
    errors: [...report.errors, ...errors],
    counts: {
      total: report.counts.total + added.length,
      errors: report.counts.errors + errors.length,
      warnings: report.counts.warnings + added.length - errors.length,
      acknowledged: report.counts.acknowledged,
    },
  };
}
