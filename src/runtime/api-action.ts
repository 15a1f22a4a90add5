/**
 * What a request to the API server was trying to do, in RBAC's terms, so that a failure can be
 * explained in words.
 */

/** What a request was trying to do, so that a refusal can be explained in words. */
export interface ApiAction {
  /** The RBAC verb, e.g. `create`, not the HTTP method. */
  readonly verb: string;
  /** RBAC resource, with subresource: `serviceaccounts/token`. */
  readonly resource: string;
  /** `''` for the core group. */
  readonly apiGroup?: string;
  /** The namespace; absent for cluster-scoped resources and cluster-wide requests. */
  readonly namespace?: string;
  /** The object's name, when the request names one. */
  readonly name?: string;
}
