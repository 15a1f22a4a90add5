/** `token-create`: `create` on serviceaccounts/token (the TokenRequest API). */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `token-create`. */
export const TOKEN_CREATE: RiskRuleInfo = {
  id: 'token-create',
  severity: 'error',
  title: 'create serviceaccounts/token',
  scope: 'rule',
  explanation:
    'creating serviceaccounts/token mints a token for a ServiceAccount, so the subject gains every permission of that ServiceAccount',
  fix: 'restrict the rule with resourceNames to the one ServiceAccount whose token is rotated, and acknowledge it',
  requests: requestsOf(['create'], '', ['serviceaccounts/token']),
};

/** Reports a rule that allows creating ServiceAccount tokens. */
export const tokenCreate: PolicyRuleCheck = probeCheck(TOKEN_CREATE);
