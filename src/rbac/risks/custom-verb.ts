/** `custom-verb`: a verb that no built-in Kubernetes API knows. */
import { KNOWN_VERBS } from '../policy-rule.js';
import { findingOf, type PolicyRuleCheck, type RiskRuleInfo } from './risk-rule.js';

/** The description of `custom-verb`. */
export const CUSTOM_VERB: RiskRuleInfo = {
  id: 'custom-verb',
  severity: 'warning',
  title: 'unknown verb',
  scope: 'rule',
  explanation:
    'a verb that Kubernetes does not know is usually a typo (the intended permission is then missing) or a custom verb of an extension whose meaning should be reviewed',
  fix: `use one of the known verbs (${KNOWN_VERBS.join(', ')}), or acknowledge the custom verb with what it does`,
};

/** Reports each verb of the rule that is neither `*` nor a known verb. */
export const customVerb: PolicyRuleCheck = (rule, context) =>
  rule.verbs
    .filter((verb) => verb !== '*' && !KNOWN_VERBS.includes(verb))
    .map((verb) => {
      const near = KNOWN_VERBS.find((known) => known === verb.trim().toLowerCase());
      const hint = near ? `; did you mean '${near}'?` : '';
      return findingOf(
        CUSTOM_VERB,
        `verb '${verb}' is not a kubernetes verb${hint}`,
        context,
        rule,
      );
    });
