/** `events-delete`: delete or deletecollection on events (core and events.k8s.io). */
import { probeCheck, requestsOf } from './_probe.js';
import type { PolicyRuleCheck, RiskRuleInfo } from './risk-rule.js';

/** The description of `events-delete`. */
export const EVENTS_DELETE: RiskRuleInfo = {
  id: 'events-delete',
  severity: 'warning',
  title: 'delete events',
  scope: 'rule',
  explanation:
    'deleting events hides what happened in the namespace (failed mounts, image pulls, evictions) from whoever investigates; it grants no access, and the audit log keeps the record where one is kept, hence a warning',
  fix: 'grant create and patch on events only (what an event recorder needs); events expire on their own',
  requests: [
    ...requestsOf(['delete', 'deletecollection'], '', ['events']),
    ...requestsOf(['delete', 'deletecollection'], 'events.k8s.io', ['events']),
  ],
};

/** Reports a rule that allows deleting events. */
export const eventsDelete: PolicyRuleCheck = probeCheck(EVENTS_DELETE);
