/**
 * Name checks and the per-app registry of ServiceAccounts (private to the constructs).
 */
import type { Construct } from 'constructs';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws unless `value` is a DNS-1123 label (namespaces). */
export function checkDnsLabel(field: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new Error(
      `${field} '${value}' is invalid: expected a DNS-1123 label (at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit)`,
    );
  }
}

/** Throws unless `value` is a DNS-1123 subdomain (names of most objects). */
export function checkDnsSubdomain(field: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new Error(
      `${field} '${value}' is invalid: expected a DNS-1123 subdomain (at most 253 characters, lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`,
    );
  }
}

const claimed = new WeakMap<Construct, Map<string, string>>();

/** Records a ServiceAccount for the whole app; throws when another construct declared it. */
export function claimServiceAccount(scope: Construct, namespace: string, name: string): void {
  const root = scope.node.root;
  const names = claimed.get(root) ?? new Map<string, string>();
  claimed.set(root, names);
  const key = `${namespace}/${name}`;
  const owner = names.get(key);
  if (owner !== undefined) {
    throw new Error(
      `service account '${name}' in namespace '${namespace}' is already declared by '${owner}'; give one of them another serviceAccountName`,
    );
  }
  names.set(key, scope.node.path);
}
