/**
 * Asking the cluster whether a token, the current credentials (SelfSubjectAccessReview) or
 * another user (SubjectAccessReview) may make an access request. The cluster's answer includes
 * every authorizer, not just RBAC. The request and the answer are the offline authorizer's
 * (`AccessRequest`, `AccessAnswer`), so both answer in one shape.
 */
import type * as k8s from '@kubernetes/client-node';
import { connect, type ClusterClient, type ClusterOptions } from './cluster.js';
import {
  AccessQueryError,
  accessAnswerOf,
  impersonatedUser,
  type AccessAnswer,
} from '../rbac/access-query.js';
import type { UserInfo } from '../rbac/authorizer.js';
import { isNonResourceRequest, type AccessRequest } from '../rbac/policy-rule.js';
import { AccessTokensError } from './errors.js';
import { clientForToken } from './token-client.js';

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

/**
 * Asks the cluster whether the token, the current user or `options.as` may make `request`.
 * Every attribute is sent as given (the server compares them literally); a resource request
 * without `namespace` is asked in the client's namespace, `namespace: ''` cluster-wide.
 */
export async function canI(
  request: AccessRequest,
  options: CanIOptions = {},
): Promise<AccessAnswer> {
  if (options.as && options.token)
    throw new AccessTokensError(
      `token and as (user '${options.as.user}') cannot both be given: ask either as a token or about another user`,
      'usage',
    );
  const base = options.client ?? connect(options);
  const client = options.token ? clientForToken(base, options.token) : base;
  const asked: AccessRequest = isNonResourceRequest(request)
    ? { verb: request.verb, path: request.path }
    : {
        verb: request.verb,
        apiGroup: request.apiGroup,
        resource: request.resource,
        subresource: request.subresource ?? '',
        name: request.name ?? '',
        namespace: request.namespace ?? base.namespace,
      };
  const api = await client.api('AuthorizationV1Api');
  const spec: k8s.V1SelfSubjectAccessReviewSpec = isNonResourceRequest(asked)
    ? { nonResourceAttributes: { verb: asked.verb, path: asked.path } }
    : {
        resourceAttributes: {
          verb: asked.verb,
          group: asked.apiGroup,
          resource: asked.resource,
          subresource: asked.subresource,
          name: asked.name,
          namespace: asked.namespace,
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
  return accessAnswerOf(
    asked,
    {
      allowed: review.status?.allowed === true,
      denied: review.status?.denied === true,
      reason: review.status?.reason,
    },
    subject,
  );
}

/** The user and groups to ask about, as the offline `can-i --as` sees them. */
function askedSubject(as: AskAs): { user: string; groups: string[] } {
  let who: UserInfo;
  try {
    who = impersonatedUser(as.user, as.groups);
  } catch (err) {
    throw err instanceof AccessQueryError ? new AccessTokensError(err.message, 'usage') : err;
  }
  return { user: who.user, groups: [...(who.groups ?? [])] };
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
