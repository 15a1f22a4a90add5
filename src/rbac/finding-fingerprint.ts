/**
 * A stable fingerprint of a finding: the same risk on the same object and the same rule gives
 * the same fingerprint, wherever the object moves in its file and whatever the file is called,
 * so that SARIF consumers and `--baseline` recognise a finding across runs.
 */
import { createHash } from 'node:crypto';
import type { Finding } from './finding.js';
import type { PolicyRule } from './policy-rule.js';

function canonicalRule(rule: PolicyRule | undefined): unknown {
  if (!rule) return null;
  const sorted = (values: readonly string[] | undefined) => (values ? [...values].sort() : null);
  return [
    sorted(rule.verbs),
    sorted(rule.apiGroups),
    sorted(rule.resources),
    sorted(rule.resourceNames),
    sorted(rule.nonResourceURLs),
  ];
}

/**
 * 16 hex characters of SHA-256 over the risk id, the object's kind, namespace and name, and the
 * rule (its lists sorted, not its index) and the message.
 */
export function fingerprintOf(finding: Finding): string {
  const l = finding.location;
  const key = JSON.stringify([
    finding.id,
    l?.kind ?? '',
    l?.namespace ?? '',
    l?.name ?? '',
    canonicalRule(finding.rule),
    // two findings of one rule on one rule (unknown-resource per resource) differ by message
    finding.message,
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * The fingerprints of findings in report order; a finding identical to an earlier one (the same
 * rule written twice in a role, the same object in two files) gets `-2`, `-3`, ... appended.
 */
export function fingerprintsOf(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const print = fingerprintOf(f);
    const n = (seen.get(print) ?? 0) + 1;
    seen.set(print, n);
    return n === 1 ? print : `${print}-${n}`;
  });
}
