/** `secrets-write`: create secrets, or update/patch secrets of any name. */
import { describeGrants, grantsOf, requestsOf, wildcardNote } from './_probe.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `secrets-write`. */
export const SECRETS_WRITE: RiskRuleInfo = {
  id: 'secrets-write',
  severity: 'error',
  title: 'create or change secrets',
  scope: 'rule',
  explanation:
    "creating a Secret of type kubernetes.io/service-account-token with a ServiceAccount's name in its annotation makes the token controller fill it with a token of that ServiceAccount that never expires, so create on secrets reaches every ServiceAccount of the namespace; updating or patching any secret replaces credentials and certificates that other workloads trust",
  fix: 'let the workload write only the secrets it owns: update/patch with resourceNames (create cannot be restricted by name, so acknowledge it where the workload must create secrets)',
  requests: requestsOf(['create', 'update', 'patch'], '', ['secrets']),
};

/**
 * Reports a rule that creates secrets, or updates/patches secrets of any name; update/patch
 * restricted to named secrets is not reported.
 */
export const secretsWrite: PolicyRuleCheck = (rule, context) => {
  const grants = grantsOf(rule, SECRETS_WRITE.requests ?? []).filter((g) => g.names === 'any');
  if (grants.length === 0) return [];
  const message = `grants ${describeGrants(grants)}${wildcardNote(rule)}`;
  return [findingOf(SECRETS_WRITE, message, context, rule)];
};
