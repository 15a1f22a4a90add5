/**
 * Name checks and the per-app registry of ServiceAccounts (private to the constructs).
 */
import type { Construct } from 'constructs';
import { dnsLabelProblem, dnsSubdomainProblem } from '../rbac/names.js';

/** Throws unless `value` is a DNS-1123 label (namespaces). */
export function checkDnsLabel(field: string, value: string): void {
  const problem = dnsLabelProblem(field, value);
  if (problem !== undefined) throw new Error(problem);
}

/** Throws unless `value` is a DNS-1123 subdomain (names of most objects). */
export function checkDnsSubdomain(field: string, value: string): void {
  const problem = dnsSubdomainProblem(field, value);
  if (problem !== undefined) throw new Error(problem);
}

const claimed = new WeakMap<Construct, Map<string, Construct>>();

/** Records a ServiceAccount for the whole app; throws when another construct declared it. */
export function claimServiceAccount(scope: Construct, namespace: string, name: string): void {
  const root = scope.node.root;
  let names = claimed.get(root);
  if (names === undefined) {
    names = new Map<string, Construct>();
    claimed.set(root, names);
  }
  const key = `${namespace}/${name}`;
  const owner = names.get(key);
  if (owner !== undefined) {
    throw new Error(
      `service account '${name}' in namespace '${namespace}' is already declared by '${owner.node.path}'; give one of them another serviceAccountName`,
    );
  }
  // The construct, not its path: the path is only needed for that message.
  names.set(key, scope);
}
