/** `wildcard-verbs`: `*` in a rule's verbs. */
import { quoted } from './_probe.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `wildcard-verbs`. */
export const WILDCARD_VERBS: RiskRuleInfo = {
  id: 'wildcard-verbs',
  severity: 'error',
  title: "'*' in verbs",
  scope: 'rule',
  explanation:
    "'*' grants every verb, including escalate, bind, impersonate and any verb a future API adds, so the rule's reach cannot be reviewed",
  fix: 'list the verbs the workload needs, e.g. get, list, watch',
};

/** Reports a rule whose verbs contain `*`. */
export const wildcardVerbs: PolicyRuleCheck = (rule, context) => {
  if (!rule.verbs.includes('*')) return [];
  const on = rule.nonResourceURLs?.length
    ? `nonResourceURLs ${quoted(rule.nonResourceURLs)}`
    : `resources ${quoted(rule.resources)}`;
  return [findingOf(WILDCARD_VERBS, `verbs '*' on ${on}`, context, rule)];
};
