/** `secrets-read`: get, list or watch on secrets. */
import { probeCheck, requestsOf } from './_probe.js';
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

/**
 * Reports a rule that reads secrets; the message names the verbs and, when resourceNames
 * restricts them, the secrets.
 */
export const secretsRead: PolicyRuleCheck = probeCheck(SECRETS_READ);
