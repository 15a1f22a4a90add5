/**
 * `node-steering`: update/patch on nodes together with evicting or deleting pods, which moves
 * pods onto a node the subject controls.
 */
import { describeGrants, grantsOf, requestsOf, type Grant } from './_probe.js';
import type { PolicyRule } from '../policy-rule.js';
import { ruleLocation } from './_role.js';
import { findingOf, type RiskRuleInfo, type RoleCheck } from './risk-rule.js';

const NODE_CHANGES = requestsOf(['update', 'patch'], '', ['nodes']);
const POD_REMOVALS = [
  ...requestsOf(['create'], '', ['pods/eviction']),
  ...requestsOf(['delete', 'deletecollection'], '', ['pods']),
];

/** The description of `node-steering`. */
export const NODE_STEERING: RiskRuleInfo = {
  id: 'node-steering',
  severity: 'error',
  title: 'move pods onto a chosen node',
  scope: 'role',
  explanation:
    'whoever may taint or cordon nodes (update/patch on nodes) and evict or delete pods can empty every other node of a pod and let it be rescheduled onto a node they control, where they read its ServiceAccount token and secrets; either half alone does not',
  fix: 'split the two grants between different subjects, or leave draining to the cluster autoscaler or a reviewed operator and acknowledge it there',
  requests: [...NODE_CHANGES, ...POD_REMOVALS],
};

function changesAnyNode(rule: PolicyRule): boolean {
  for (const grant of grantsOf(rule, NODE_CHANGES)) if (grant.names === 'any') return true;
  return false;
}

/**
 * Reports a role that grants update/patch on nodes of any name and also evicts or deletes
 * pods; the finding is at the first rule that changes nodes and names both halves.
 */
export const nodeSteering: RoleCheck = (role, context) => {
  // Loops, not callbacks: this runs for every construct's Role at synth (see `lintObject`).
  const nodeRule = role.rules.findIndex(changesAnyNode);
  if (nodeRule < 0) return [];
  const removals: Grant[] = [];
  for (const rule of role.rules) {
    for (const grant of grantsOf(rule, POD_REMOVALS))
      if (grant.names === 'any') removals.push(grant);
  }
  if (removals.length === 0) return [];
  const nodes = grantsOf(role.rules[nodeRule], NODE_CHANGES);
  const message = `grants ${describeGrants(nodes)} together with ${describeGrants(removals)}`;
  return [
    findingOf(
      NODE_STEERING,
      message,
      { location: ruleLocation(context.location, nodeRule) },
      role.rules[nodeRule],
    ),
  ];
};
