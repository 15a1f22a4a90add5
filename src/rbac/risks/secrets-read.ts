/** `secrets-read`: get, list or watch on secrets. */
import { grantsOf, probeFindings, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `secrets-read`. */
export const SECRETS_READ: RiskRuleInfo = {
  id: 'secrets-read',
  severity: 'error',
  title: 'read secrets',
  scope: 'rule',
  explanation:
    "reading secrets reveals credentials, including other ServiceAccounts' legacy tokens; list and watch return every secret's data, not just names, and resourceNames does not make get harmless",
  fix: 'restrict get to the named secrets with resourceNames, drop list and watch, and acknowledge the rest with a reason',
  requests: requestsOf(['get', 'list', 'watch'], '', ['secrets']),
};

/** The fix when the rule already grants only `get` on named secrets: nothing narrower exists. */
const ALREADY_NARROWEST_FIX =
  'the grant is already as narrow as RBAC allows (get on named secrets): acknowledge it with a reason, or drop it if the secrets are not needed';

/**
 * Reports a rule that reads secrets; the message names the verbs and, when resourceNames
 * restricts them, the secrets. The fix says to narrow the grant only when it can be narrowed.
 */
export const secretsRead: PolicyRuleCheck = (rule, context) => {
  const findings = probeFindings(SECRETS_READ, SECRETS_READ.requests ?? [], rule, context.location);
  const grants = grantsOf(rule, SECRETS_READ.requests ?? []);
  const narrowest = grants.every((g) => g.request.verb === 'get' && g.names !== 'any');
  return narrowest ? findings.map((f) => ({ ...f, fix: ALREADY_NARROWEST_FIX })) : findings;
};
