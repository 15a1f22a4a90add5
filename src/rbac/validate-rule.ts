/**
 * Pure validation of one RBAC rule: returns every problem, never throws. Errors make a rule
 * unusable; warnings (a custom verb) are reported but allowed.
 */
import { isNonResourceRule, KNOWN_VERBS, type PolicyRule } from './policy-rule.js';
import type { Severity } from './finding.js';
import { resourceNotationProblem } from './resource-notation.js';

/** One problem with a rule. */
export interface RuleProblem {
  /** `error`: the rule is unusable (`Permission` throws); `warning`: reported, but allowed. */
  readonly severity: Severity;
  /** What is wrong, naming the offending value and what is allowed. */
  readonly message: string;
}

/** Verbs that name no object, so `resourceNames` can never match them. */
const NAMELESS_VERBS = ['create', 'deletecollection'];
const NON_RESOURCE_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', '*'];
const NAME = /^[^/%]+$/;

/** Options for `validateRule`. */
export interface ValidateRuleOptions {
  /** Verbs accepted without a warning besides the known ones (an extension API's verbs). */
  readonly customVerbs?: readonly string[];
}

/** A rule's (group, resource) pair in kubectl's notation, for checking against the catalog. */
function toNotation(group: string, resource: string): string {
  const [base, sub] = resource.split('/', 2);
  const qualified = group === '' || group === '*' || base === '*' ? base : `${base}.${group}`;
  return sub === undefined ? qualified : `${qualified}/${sub}`;
}

function resourceProblems(rule: PolicyRule): string[] {
  const problems: string[] = [];
  const groups = rule.apiGroups ?? [];
  const resources = rule.resources ?? [];
  if (groups.length === 0) problems.push('apiGroups must not be empty (use "" for the core group)');
  if (resources.length === 0) problems.push('resources must not be empty');
  // A rule is a cross product: a resource is fine when some listed group has it.
  for (const resource of resources) {
    const found = groups.map((group) =>
      resourceNotationProblem(toNotation(group, resource), { catalog: group !== '*' }),
    );
    if (found.length > 0 && found.every((p) => p !== undefined)) problems.push(found[0] as string);
  }
  // Object names never hold '/' or '%'; signer names do (`example.com/my-signer`, and
  // `example.com/*` for every signer of a domain): the CSR API checks `approve`/`sign` on them.
  const signers = resources.some((r) => r === 'signers' || r === '*');
  for (const name of rule.resourceNames ?? []) {
    if (signers ? name === '' || name.includes('%') : !NAME.test(name)) {
      problems.push(
        signers
          ? `resourceNames entry '${name}' is invalid: names must be non-empty and contain no '%'`
          : `resourceNames entry '${name}' is invalid: names must be non-empty and contain no '/' or '%' (only signers.certificates.k8s.io has names with '/', e.g. 'example.com/*')`,
      );
    }
  }
  if ((rule.resourceNames ?? []).length > 0) {
    const topLevel = resources.filter((r) => !r.includes('/'));
    for (const verb of rule.verbs.filter((v) => NAMELESS_VERBS.includes(v))) {
      if (topLevel.length > 0) {
        problems.push(
          `verb '${verb}' cannot be restricted by resourceNames (the request names no object, so RBAC never matches it); grant '${verb}' on ${topLevel.join(', ')} without names, or drop it`,
        );
      }
    }
  }
  return problems;
}

function nonResourceProblems(rule: PolicyRule): string[] {
  const problems: string[] = [];
  if (
    (rule.resources ?? []).length ||
    (rule.apiGroups ?? []).length ||
    (rule.resourceNames ?? []).length
  ) {
    problems.push(
      'a rule has either nonResourceURLs or apiGroups/resources/resourceNames, not both',
    );
  }
  for (const url of rule.nonResourceURLs ?? []) {
    const star = url.indexOf('*');
    if (url !== '*' && (!url.startsWith('/') || (star >= 0 && star !== url.length - 1))) {
      problems.push(
        `nonResourceURL '${url}' is invalid: it must start with '/' and may end with a single '*'`,
      );
    }
  }
  for (const verb of rule.verbs) {
    if (!NON_RESOURCE_VERBS.includes(verb)) {
      problems.push(
        `verb '${verb}' does not apply to non-resource URLs (allowed: ${NON_RESOURCE_VERBS.join(', ')})`,
      );
    }
  }
  return problems;
}

/** Every problem with the rule. */
export function validateRule(rule: PolicyRule, options: ValidateRuleOptions = {}): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const error = (message: string) => problems.push({ severity: 'error', message });
  if (rule.verbs.length === 0) error('verbs must not be empty');
  for (const verb of rule.verbs) {
    if (verb === '*' || KNOWN_VERBS.includes(verb)) continue;
    if (!/^[a-z][a-z0-9-]*$/i.test(verb)) {
      error(
        `verb '${verb}' is invalid: expected a word such as get, list, watch, create, update, patch, delete`,
      );
    } else if (options.customVerbs?.includes(verb)) {
      problems.push({
        severity: 'warning',
        message: `verb '${verb}' is not a Kubernetes verb; it is kept as a custom verb of an extension API`,
      });
    } else {
      error(
        `verb '${verb}' is unknown (known: ${KNOWN_VERBS.join(', ')}); declare an extension API's verb with Permission.customVerbs(), or customVerbs in Permission.of`,
      );
    }
  }
  const messages = isNonResourceRule(rule) ? nonResourceProblems(rule) : resourceProblems(rule);
  messages.forEach(error);
  return problems;
}
