/**
 * Asking the cluster whether a token, the current credentials (SelfSubjectAccessReview) or
 * another user (SubjectAccessReview) may do something. The cluster's answer includes every
 * authorizer, not just RBAC.
 */
import * as k8s from '@kubernetes/client-node';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import { AccessQueryError, impersonatedUser, parseAccessQuery } from '../rbac/access-query.js';
import { isNonResourceRequest, type AccessRequest } from '../rbac/policy-rule.js';
import { AccessTokensError } from './errors.js';
import { permissionFor } from './permission-hint.js';
import { clientForToken } from './token-client.js';

/** A request to check, in RBAC's terms. */
export interface AccessQuery {
  /** The RBAC verb, e.g. `get`; with `nonResourceUrl`, the lower-cased HTTP method. */
  readonly verb: string;
  /** Plural resource name, e.g. `deployments`. */
  readonly resource: string;
  /**
   * The API group of `resource`.
   * @default '' (core)
   */
  readonly apiGroup?: string;
  /**
   * A subresource, e.g. `log` or `scale`.
   * @default - none
   */
  readonly subresource?: string;
  /**
   * One object's name.
   * @default - none: a request for no object in particular (list, create)
   */
  readonly name?: string;
  /**
   * The namespace of the request; `''` asks cluster-wide.
   * @default - the client's namespace
   */
  readonly namespace?: string;
  /** A non-resource URL instead of a resource, e.g. `/healthz`. */
  readonly nonResourceUrl?: string;
}

/** The cluster's answer. */
export interface AccessAnswer {
  /**
   * Whether the request would be allowed: the only field that decides.
   * @see https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
   */
  readonly allowed: boolean;
  /**
   * Whether an authorizer explicitly denied it. Both `false`: no authorizer allowed it, which is
   * also a refusal (RBAC never denies, so that is RBAC's "no"). Never `true` with `allowed`.
   */
  readonly denied: boolean;
  /** The server's explanation, when it gives one, e.g. the RBAC binding that allowed it. */
  readonly reason?: string;
  /**
   * When not allowed: the Permission that would grant it, followed by ` in a ClusterRole` when
   * only a ClusterRole can (cluster-wide questions and non-resource URLs).
   */
  readonly grantedBy?: string;
  /** With `as`: the user and groups the cluster was asked about. */
  readonly subject?: {
    /** The user name asked about. */
    readonly user: string;
    /** Its groups, with those the API server would add (`system:authenticated`, ...). */
    readonly groups: readonly string[];
  };
}

/** Another user to ask about, as kubectl's `--as`/`--as-group`. */
export interface AskAs {
  /** e.g. `alice` or `system:serviceaccount:NS:NAME`. */
  readonly user: string;
  /**
   * The user's groups. `system:authenticated` is added; a ServiceAccount user given none gets
   * its ServiceAccount groups, as the API server gives them to its tokens.
   * @default - none given: `system:authenticated`, or a ServiceAccount's groups
   */
  readonly groups?: readonly string[];
}

/** Options of `canI`. */
export interface CanIOptions extends ClusterOptions {
  /** Ask as this token instead of the configured credentials. */
  readonly token?: string;
  /**
   * Ask about another user: a SubjectAccessReview, which the configured credentials must be
   * allowed to create (`create subjectaccessreviews`, cluster-wide). Not with `token`.
   */
  readonly as?: AskAs;
  /**
   * A client to reuse.
   * @default - connects with the options above
   */
  readonly client?: ClusterClient;
}

/** Asks the cluster whether the token, the current user or `options.as` may do `query`. */
export async function canI(query: AccessQuery, options: CanIOptions = {}): Promise<AccessAnswer> {
  if (options.as && options.token)
    throw new AccessTokensError(
      `token and as (user '${options.as.user}') cannot both be given: ask either as a token or about another user`,
      'usage',
    );
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
  const subject = options.as ? askedSubject(options.as) : undefined;
  const review = subject
    ? await subjectAccessReview(client, api, spec, subject)
    : await client.call(
        { verb: 'create', resource: 'selfsubjectaccessreviews', apiGroup: 'authorization.k8s.io' },
        (o) =>
          api.createSelfSubjectAccessReview(
            {
              body: {
                apiVersion: 'authorization.k8s.io/v1',
                kind: 'SelfSubjectAccessReview',
                spec,
              },
            },
            o,
          ),
      );
  const allowed = review.status?.allowed === true;
  const resource = query.subresource ? `${query.resource}/${query.subresource}` : query.resource;
  return {
    allowed,
    denied: review.status?.denied === true,
    ...(review.status?.reason ? { reason: review.status.reason } : {}),
    ...(subject ? { subject } : {}),
    ...(!allowed ? { grantedBy: grantingPermission(query, resource, namespace) } : {}),
  };
}

/**
 * The Permission that would grant a refused query, and where it must go: cluster-wide questions
 * (`namespace` '') and non-resource URLs are answered only by ClusterRoles.
 */
function grantingPermission(query: AccessQuery, resource: string, namespace: string): string {
  if (query.nonResourceUrl)
    return `Permission.nonResourceUrls(['${query.verb}'], '${query.nonResourceUrl}') in a ClusterRole`;
  const permission = permissionFor({
    verb: query.verb,
    resource,
    apiGroup: query.apiGroup,
    name: query.name,
    namespace,
  });
  return namespace === '' ? `${permission} in a ClusterRole` : permission;
}

/** The user and groups to ask about, as the offline `can-i --as` sees them. */
function askedSubject(as: AskAs): { user: string; groups: string[] } {
  try {
    const who = impersonatedUser(as.user, as.groups);
    return { user: who.user, groups: [...(who.groups ?? [])] };
  } catch (err) {
    throw err instanceof AccessQueryError ? new AccessTokensError(err.message, 'usage') : err;
  }
}

async function subjectAccessReview(
  client: ClusterClient,
  api: k8s.AuthorizationV1Api,
  attributes: k8s.V1SelfSubjectAccessReviewSpec,
  subject: { user: string; groups: string[] },
): Promise<k8s.V1SubjectAccessReview> {
  const spec: k8s.V1SubjectAccessReviewSpec = { ...attributes, ...subject };
  return client.call(
    { verb: 'create', resource: 'subjectaccessreviews', apiGroup: 'authorization.k8s.io' },
    (o) =>
      api.createSubjectAccessReview(
        { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } },
        o,
      ),
  );
}

/**
 * Reads kubectl's `auth can-i` target (`TYPE[.GROUP][/NAME]` or a non-resource URL such as
 * `/healthz`) with the same parser as the offline `can-i`: the part after `/` is always a
 * name, the subresource comes from `--subresource`. `namespace: ''` asks cluster-wide.
 */
export function accessQueryOf(
  verb: string,
  target: string,
  options: { readonly namespace?: string; readonly subresource?: string } = {},
): AccessQuery {
  let request: AccessRequest;
  try {
    request = parseAccessQuery(verb, target, {
      subresource: options.subresource,
      ...(options.namespace === '' ? { allNamespaces: true } : { namespace: options.namespace }),
    });
  } catch (err) {
    throw new AccessTokensError((err as Error).message, 'usage');
  }
  if (isNonResourceRequest(request)) return { verb, resource: '', nonResourceUrl: request.path };
  return {
    verb,
    resource: request.resource,
    apiGroup: request.apiGroup,
    ...(request.subresource ? { subresource: request.subresource } : {}),
    ...(request.name ? { name: request.name } : {}),
    ...(options.namespace !== undefined ? { namespace: request.namespace } : {}),
  };
}
