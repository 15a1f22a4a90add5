/**
 * A 403 explained in words: what is missing, where, and what would grant it. The grant is
 * written by the one Permission-hint builder (`rbac/permission-hint.ts`), as `can-i` writes it.
 */
import { permissionHint } from '../rbac/permission-hint.js';
import type { ResourceRequest } from '../rbac/policy-rule.js';
import type { ApiAction } from './api-action.js';

/** The request an action makes, in the authorizer's terms. */
function requestOf(action: ApiAction): ResourceRequest {
  const [resource, subresource = ''] = action.resource.split('/', 2);
  return {
    verb: action.verb,
    apiGroup: action.apiGroup ?? '',
    resource,
    subresource,
    name: action.name ?? '',
    namespace: action.namespace ?? '',
  };
}

/** Explains a 403 in words: what is missing, where, and what would grant it. */
export function explainForbidden(action: ApiAction, serverMessage?: string): string {
  const target = action.name ? `${action.resource} '${action.name}'` : action.resource;
  const group = action.apiGroup ? ` (API group '${action.apiGroup}')` : '';
  const where = action.namespace ? `in namespace '${action.namespace}'` : 'cluster-wide';
  const who = /User "([^"]+)"/.exec(serverMessage ?? '')?.[1];
  return (
    `forbidden: ${who ? `'${who}'` : 'the caller'} may not ${action.verb} ${target}${group} ${where}; ` +
    `it would be granted by ${permissionHint(requestOf(action))}`
  );
}
