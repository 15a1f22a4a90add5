/**
 * SelfSubjectAccessReview: asking the cluster whether a token (or the current credentials)
 * may do something. The cluster's answer includes every authorizer, not just RBAC.
 */
import * as k8s from '@kubernetes/client-node';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { lookupResource } from '../rbac/resource-catalog.js';
import { resourceNotationProblem } from '../rbac/resource-notation.js';
import { AccessTokensError, permissionFor } from './errors.js';
import { clientForToken } from './token-client.js';

/** A request to check, in RBAC's terms. */
export interface AccessQuery {
  readonly verb: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
  /** @default '' (core) */
  readonly apiGroup?: string;
  readonly subresource?: string;
  readonly name?: string;
  /** @default - the client's namespace; `''` for cluster-wide */
  readonly namespace?: string;
  /** A non-resource URL instead of a resource, e.g. `/healthz`. */
  readonly nonResourceUrl?: string;
}

/** The cluster's answer. */
export interface AccessAnswer {
  readonly allowed: boolean;
  readonly denied: boolean;
  readonly reason?: string;
  /** When not allowed: the Permission that would grant it. */
  readonly grantedBy?: string;
}

/** Options of `canI`. */
export interface CanIOptions extends ClusterOptions {
  /** Ask as this token instead of the configured credentials. */
  readonly token?: string;
  readonly client?: ClusterClient;
}

/** Asks the cluster whether the token (or the current user) may do `query`. */
export async function canI(query: AccessQuery, options: CanIOptions = {}): Promise<AccessAnswer> {
  const base = options.client ?? connect(options);
  const client = options.token ? clientForToken(base, options.token) : base;
  const namespace = query.namespace ?? base.namespace;
  const api = client.api(k8s.AuthorizationV1Api);
  const spec: k8s.V1SelfSubjectAccessReviewSpec = query.nonResourceUrl
    ? { nonResourceAttributes: { verb: query.verb, path: query.nonResourceUrl } }
    : {
        resourceAttributes: {
          verb: query.verb,
          resource: query.resource,
          group: query.apiGroup ?? '',
          ...(query.subresource ? { subresource: query.subresource } : {}),
          ...(query.name ? { name: query.name } : {}),
          ...(namespace ? { namespace } : {}),
        },
      };
  const review = await client.call(
    { verb: 'create', resource: 'selfsubjectaccessreviews', apiGroup: 'authorization.k8s.io' },
    (o) =>
      api.createSelfSubjectAccessReview(
        { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec } },
        o,
      ),
  );
  const allowed = review.status?.allowed === true;
  const resource = query.subresource ? `${query.resource}/${query.subresource}` : query.resource;
  return {
    allowed,
    denied: review.status?.denied === true,
    ...(review.status?.reason ? { reason: review.status.reason } : {}),
    ...(!allowed && !query.nonResourceUrl
      ? {
          grantedBy: permissionFor({
            verb: query.verb,
            resource,
            apiGroup: query.apiGroup,
            name: query.name,
            namespace,
          }),
        }
      : {}),
  };
}

/**
 * Reads kubectl's `auth can-i` target: `TYPE[.GROUP][/NAME]`, or `TYPE/SUBRESOURCE` when the
 * part after `/` is a known subresource of a built-in TYPE (`pods/log`), or a non-resource URL
 * (`/healthz`). `subresource` (kubectl's `--subresource`) wins over the guess.
 */
export function accessQueryOf(
  verb: string,
  target: string,
  options: {
    readonly namespace?: string;
    readonly subresource?: string;
    readonly name?: string;
  } = {},
): AccessQuery {
  if (target.startsWith('/')) return { verb, resource: '', nonResourceUrl: target };
  const slash = target.indexOf('/');
  const type = slash < 0 ? target : target.slice(0, slash);
  const rest = slash < 0 ? undefined : target.slice(slash + 1);
  const dot = type.indexOf('.');
  const resource = dot < 0 ? type : type.slice(0, dot);
  const apiGroup = dot < 0 ? '' : type.slice(dot + 1);
  const problem = resourceNotationProblem(type);
  if (problem) throw new AccessTokensError(problem, 'usage');
  let subresource = options.subresource;
  let name = options.name;
  if (rest !== undefined) {
    const known = lookupResource(apiGroup, resource)?.subresources ?? [];
    if (subresource === undefined && known.includes(rest)) subresource = rest;
    else name = rest;
  }
  return {
    verb,
    resource,
    apiGroup,
    ...(subresource ? { subresource } : {}),
    ...(name ? { name } : {}),
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
  };
}
