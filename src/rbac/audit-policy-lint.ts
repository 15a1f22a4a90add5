/**
 * The seam between the least-privilege lint and the audit-policy check: every audit Policy
 * among the linted objects is checked, and its findings join the lint report in the same
 * shape (acknowledged through the same file and baseline, same counts and exit code).
 */
import type { Finding } from './finding.js';
import type { KubeObject } from './kube-object.js';
import type { SourceLookup } from './lint.js';
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
