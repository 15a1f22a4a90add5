/** `wildcard-verbs`: `*` in a rule's verbs. */
import { quoted } from './_probe.js';
import { confinedNote, reachesKubernetesGroups } from './_reach.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `wildcard-verbs`. */
export const WILDCARD_VERBS: RiskRuleInfo = {
  id: 'wildcard-verbs',
  severity: 'error',
  title: "'*' in verbs",
  scope: 'rule',
  explanation:
    "'*' grants every verb, including escalate, bind, impersonate and any verb a future API adds, so the rule's reach cannot be reviewed; confined to a project's own API groups (a controller managing its own custom resources) it is a warning",
  fix: 'list the verbs the workload needs, e.g. get, list, watch',
};

/**
 * Reports a rule whose verbs contain `*`: an error on Kubernetes' own groups and
 * nonResourceURLs, a warning when its apiGroups are all a project's own.
 */
export const wildcardVerbs: PolicyRuleCheck = (rule, context) => {
  if (!rule.verbs.includes('*')) return [];
  if (rule.nonResourceURLs?.length) {
    const message = `verbs '*' on nonResourceURLs ${quoted(rule.nonResourceURLs)}`;
    return [findingOf(WILDCARD_VERBS, message, context, rule)];
  }
  const confined = !reachesKubernetesGroups(rule);
  const message = `verbs '*' on resources ${quoted(rule.resources)}${confined ? confinedNote(rule) : ''}`;
  const finding = findingOf(WILDCARD_VERBS, message, context, rule);
  return [confined ? { ...finding, severity: 'warning' } : finding];
};
