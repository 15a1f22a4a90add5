/**
 * Kubernetes name rules (DNS-1123), shared by the constructs, the token declaration and the
 * access queries so that all three accept the same names and say the same thing when not.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What is wrong with `value` as a DNS-1123 label (namespaces), in a sentence naming `field`;
 * undefined when it is one.
 */
export function dnsLabelProblem(field: string, value: string): string | undefined {
  if (value.length <= 63 && DNS_LABEL.test(value)) return undefined;
  return `${field} '${value}' is invalid: expected a DNS-1123 label (at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit)`;
}

/**
 * What is wrong with `value` as a DNS-1123 subdomain (the names of most objects), in a sentence
 * naming `field`; undefined when it is one.
 */
export function dnsSubdomainProblem(field: string, value: string): string | undefined {
  if (value.length <= 253 && DNS_SUBDOMAIN.test(value)) return undefined;
  return `${field} '${value}' is invalid: expected a DNS-1123 subdomain (at most 253 characters, lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`;
}
