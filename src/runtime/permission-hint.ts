/**
 * The `Permission` that would have allowed a refused request, and a 403 explained in words.
 */
import { KNOWN_VERBS } from '../rbac/policy-rule.js';
import type { ApiAction } from './api-action.js';

/** Verbs on a whole collection: `resourceNames` can never allow them. */
const COLLECTION_VERBS = new Set(['list', 'deletecollection']);

/** The RBAC `Permission` expression that grants an action, in this library's notation. */
export function permissionFor(action: ApiAction): string {
  const [resource, sub] = action.resource.split('/', 2);
  const notation = `${action.apiGroup ? `${resource}.${action.apiGroup}` : resource}${sub ? `/${sub}` : ''}`;
  // RBAC can restrict a verb by name except `create` on a top-level resource (the name is not
  // known when it is authorized) and collection verbs.
  const nameable =
    action.name !== undefined &&
    !(action.verb === 'create' && !sub) &&
    !COLLECTION_VERBS.has(action.verb);
  const names = nameable ? `, '${action.name}'` : '';
  // A verb Kubernetes does not know (an extension API's) is granted by customVerbs.
  const factory = KNOWN_VERBS.includes(action.verb) ? 'verbs' : 'customVerbs';
  return `Permission.${factory}(['${action.verb}'], '${notation}'${names})`;
}

/** Explains a 403 in words: what is missing, where, and what grants it. */
export function explainForbidden(action: ApiAction, serverMessage?: string): string {
  const target = action.name ? `${action.resource} '${action.name}'` : action.resource;
  const group = action.apiGroup ? ` (API group '${action.apiGroup}')` : '';
  const where = action.namespace ? `in namespace '${action.namespace}'` : 'cluster-wide';
  const who = /User "([^"]+)"/.exec(serverMessage ?? '')?.[1];
  return (
    `forbidden: ${who ? `'${who}'` : 'the caller'} may not ${action.verb} ${target}${group} ${where}; ` +
    `it is granted by ${permissionFor(action)}` +
    (action.namespace ? ` in a Role bound in '${action.namespace}'` : ' in a ClusterRole')
  );
}
