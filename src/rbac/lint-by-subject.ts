/**
 * The findings grouped by who holds them (`lint --by-subject`): per ServiceAccount, user and
 * group, every finding on the roles bound to it, where and through which binding. The view an
 * auditor asks for.
 */
import type { Finding, RiskHolder } from './finding.js';
import { formatSubject } from './risk-holders.js';

/** The findings one subject holds. */
export interface SubjectFindings {
  /** The subject. */
  readonly subject: RiskHolder['subject'];
  /** Its findings, each with where it holds it and through which binding. */
  readonly findings: readonly { readonly finding: Finding; readonly holder: RiskHolder }[];
}

/**
 * Groups findings that carry holders by subject, subjects in `formatSubject` order; findings on
 * roles nobody binds are left out (they are `unbound`).
 */
export function findingsBySubject(findings: readonly Finding[]): SubjectFindings[] {
  const bySubject = new Map<
    string,
    { subject: RiskHolder['subject']; findings: SubjectFindings['findings'][number][] }
  >();
  for (const finding of findings) {
    for (const holder of finding.holders ?? []) {
      const key = formatSubject(holder.subject);
      const entry = bySubject.get(key) ?? { subject: holder.subject, findings: [] };
      entry.findings.push({ finding, holder });
      bySubject.set(key, entry);
    }
  }
  return [...bySubject.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, v]) => v);
}
