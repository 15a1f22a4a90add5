/** `legacy-token-secret`: a Secret of type kubernetes.io/service-account-token. */
import { findingOf, type ObjectCheck, type RiskRuleInfo } from './risk-rule.js';

/** The Secret type of legacy, never-expiring ServiceAccount tokens. */
export const LEGACY_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';

/** The description of `legacy-token-secret`. */
export const LEGACY_TOKEN_SECRET: RiskRuleInfo = {
  id: 'legacy-token-secret',
  severity: 'error',
  title: 'legacy token secret',
  scope: 'object',
  explanation:
    'the token controller fills this Secret with a ServiceAccount token that never expires and is revoked only by deleting the Secret; anyone who can read secrets in the namespace gets it',
  fix: 'mint short-lived tokens through the TokenRequest API (a token on ServiceAccountAccess, or a projected serviceAccountToken volume) and delete the Secret',
};

/** Reports a Secret that holds a legacy ServiceAccount token. */
export const legacyTokenSecret: ObjectCheck = (object, context) => {
  if (
    object.kind !== 'Secret' ||
    object.apiVersion !== 'v1' ||
    object.type !== LEGACY_TOKEN_SECRET_TYPE
  ) {
    return [];
  }
  const account =
    object.metadata?.annotations?.['kubernetes.io/service-account.name'] ?? '(unnamed)';
  const message = `secret '${object.metadata?.name ?? ''}' of type ${LEGACY_TOKEN_SECRET_TYPE} holds a never-expiring token of serviceaccount '${account}'`;
  return [findingOf(LEGACY_TOKEN_SECRET, message, context)];
};
