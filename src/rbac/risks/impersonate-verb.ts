/** `impersonate-verb`: `impersonate` on users, groups, serviceaccounts, uids or userextras. */
import { probeFindings, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo, RiskyRequest } from './risk-rule.js';

const STATIC_REQUESTS: readonly RiskyRequest[] = [
  ...requestsOf(['impersonate'], '', ['users', 'groups', 'serviceaccounts']),
  ...requestsOf(['impersonate'], 'authentication.k8s.io', ['uids', 'userextras/scopes']),
];

/** The description of `impersonate-verb`. */
export const IMPERSONATE_VERB: RiskRuleInfo = {
  id: 'impersonate-verb',
  severity: 'error',
  title: 'impersonate',
  scope: 'rule',
  explanation:
    'impersonate lets the subject act as another user, group or ServiceAccount, with all of its permissions',
  fix: 'remove impersonate; if it is needed, restrict it with resourceNames to the identities required and acknowledge it',
  requests: STATIC_REQUESTS,
};

/** Reports a rule that allows `impersonate` on any identity. */
export const impersonateVerb: PolicyRuleCheck = (rule, context) => {
  // Extras are subresources named by the extra's key, so ask about the keys the rule names.
  const extraKeys = (rule.resources ?? [])
    .filter((r) => r.startsWith('userextras/') || r.startsWith('*/'))
    .map((r) => r.split('/')[1])
    .filter((key) => key !== 'scopes');
  const requests = [
    ...STATIC_REQUESTS,
    ...requestsOf(
      ['impersonate'],
      'authentication.k8s.io',
      extraKeys.map((k) => `userextras/${k}`),
    ),
  ];
  return probeFindings(IMPERSONATE_VERB, requests, rule, context.location);
};
