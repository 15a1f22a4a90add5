/**
 * One API-server audit event (`audit.k8s.io/v1` Event, as the log and webhook backends write
 * it) read as the request the authorizer saw: who (the impersonated user when there is one,
 * else the authenticated user), what (verb and resource or URL) and whether it was allowed.
 * Pure: no file or cluster access.
 *
 * @see https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event
 */

/** The extra key under which newer servers record a token's id (`JTI=...`). */
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';
/** The annotation with which newer servers record the id of a token minted by TokenRequest. */
export const ISSUED_CREDENTIAL_ID_ANNOTATION = 'authentication.kubernetes.io/issued-credential-id';
/** The authorizer's decision annotation: `allow` or `forbid`. */
export const DECISION_ANNOTATION = 'authorization.k8s.io/decision';

/** A request read from an audit event. */
export interface ObservedRequest {
  /**
   * The user whose permissions were checked: the impersonated user, else the authenticated one;
   * `''` when authentication refused the request's credentials (the server then records
   * `"user":{}`, e.g. a 401 for an invalid or expired token).
   */
  readonly identity: string;
  /** The authenticated user when it impersonated `identity`. */
  readonly impersonatedBy?: string;
  /** The token's id (`JTI=...`) when the server recorded one. */
  readonly credentialId?: string;
  /** The verb: RBAC's (`get`, `list`, ...) or, for a non-resource URL, the lower-case method. */
  readonly verb: string;
  /** API group; `''` is the core group. */
  readonly apiGroup: string;
  /** Resource; `''` for a non-resource request. */
  readonly resource: string;
  /** Subresource; `''` for none. */
  readonly subresource: string;
  /** Namespace; `''` for cluster-scoped or cluster-wide requests. */
  readonly namespace: string;
  /**
   * The object name RBAC saw: `''` for list, watch, deletecollection and top-level create
   * (their names are not known when the request is authorized).
   */
  readonly name: string;
  /** The URL path of a non-resource request, else `undefined`. */
  readonly path?: string;
  /** The HTTP status code; 0 when the event has none. */
  readonly code: number;
  /** Whether the authorizer allowed it (the decision annotation, else status not 401/403). */
  readonly allowed: boolean;
  /** `stageTimestamp` (RFC 3339, UTC). */
  readonly time: string;
  /** The minted token's id, on a TokenRequest event of a server that records it. */
  readonly issuedCredentialId?: string;
  /**
   * `sourceIPs`, on a request whose credentials were refused (`identity` `''`): who tried.
   * The last is the address the server saw; the ones before come from X-Forwarded-For and
   * X-Real-Ip, which the client may set.
   */
  readonly sourceIps?: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * What usage analysis reads from an audit event: its stage, its id and the request it
 * records. The id and the request are made when asked for: an event of a request already
 * counted needs neither.
 */
export interface AuditEventFields {
  /** `stage`: `RequestReceived`, `ResponseStarted`, `ResponseComplete` or `Panic`. */
  readonly stage: string;
  /** `auditID`; `''` when it has none. */
  auditId(): string;
  /** The request it records. */
  request(): ObservedRequest;
}

/** The fields of a parsed event that `auditEventProblem` found none in. */
export class ParsedAuditEvent implements AuditEventFields {
  readonly stage: string;

  constructor(private readonly event: Json) {
    this.stage = event.stage as string;
  }

  auditId(): string {
    return typeof this.event.auditID === 'string' ? this.event.auditID : '';
  }

  request(): ObservedRequest {
    return observedRequestOf(this.event);
  }
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function firstExtra(user: Json, key: string): string | undefined {
  const extra = user.extra;
  if (!isRecord(extra)) return undefined;
  const values = extra[key];
  return Array.isArray(values) && typeof values[0] === 'string' ? values[0] : undefined;
}

/** Verbs whose object name RBAC does not see. */
const NAMELESS = new Set(['list', 'watch', 'deletecollection']);

/**
 * Whether RBAC saw the object name of a request: not for list, watch, deletecollection and
 * top-level create (the name is not known when the request is authorized).
 */
export function rbacSeesName(verb: string, subresource: string): boolean {
  return !NAMELESS.has(verb) && (verb !== 'create' || subresource !== '');
}

/** The URL path of a non-resource request, from its `requestURI` (without the query). */
export function urlPathOf(requestURI: string): string {
  const query = requestURI.indexOf('?');
  return query < 0 ? requestURI : requestURI.slice(0, query);
}

/** Whether the authorizer allowed a request: its decision annotation, else its status code. */
export function allowedBy(decision: unknown, code: number): boolean {
  return decision === 'allow' ? true : decision === 'forbid' ? false : code !== 401 && code !== 403;
}

/**
 * Why an event is not a request (for the malformed count), or undefined when it is one. An
 * event without `user.username` is one: the API server records a request whose credentials it
 * refused (401) with `"user":{}`.
 */
export function auditEventProblem(event: unknown): string | undefined {
  if (!isRecord(event)) return 'not a JSON object';
  if (event.kind !== undefined && event.kind !== 'Event')
    return `kind '${String(event.kind)}' is not Event`;
  if (!isRecord(event.user)) return 'no user';
  if (event.user.username !== undefined && typeof event.user.username !== 'string')
    return 'user.username is not a string';
  if (typeof event.verb !== 'string') return 'no verb';
  if (typeof event.stage !== 'string') return 'no stage';
  return undefined;
}

/**
 * The request an audit event records. Call `auditEventProblem` first: this assumes the
 * event has a user, a verb and a stage.
 */
export function observedRequestOf(event: Json): ObservedRequest {
  // The hot path of log analysis: one object per event, no spreads.
  const user = event.user as Json;
  const impersonated = isRecord(event.impersonatedUser) ? event.impersonatedUser : undefined;
  const ref = isRecord(event.objectRef) ? event.objectRef : undefined;
  const verb = str(event.verb);
  const status = isRecord(event.responseStatus) ? event.responseStatus : undefined;
  const code = typeof status?.code === 'number' ? status.code : 0;
  const annotations = isRecord(event.annotations) ? event.annotations : undefined;
  const decision = annotations?.[DECISION_ANNOTATION];
  const subresource = ref ? str(ref.subresource) : '';
  let path: string | undefined;
  let name = '';
  if (ref) name = rbacSeesName(verb, subresource) ? str(ref.name) : '';
  else path = urlPathOf(str(event.requestURI));
  const request: {
    -readonly [K in keyof ObservedRequest]: ObservedRequest[K];
  } = {
    identity: impersonated ? str(impersonated.username) : str(user.username),
    verb,
    apiGroup: ref ? str(ref.apiGroup) : '',
    resource: ref ? str(ref.resource) : '',
    subresource,
    namespace: ref ? str(ref.namespace) : '',
    name,
    code,
    allowed: allowedBy(decision, code),
    time: str(event.stageTimestamp) || str(event.requestReceivedTimestamp),
  };
  if (path !== undefined) request.path = path;
  if (impersonated) request.impersonatedBy = str(user.username);
  const credentialId = firstExtra(user, CREDENTIAL_ID_KEY);
  if (credentialId) request.credentialId = credentialId;
  const issued = annotations?.[ISSUED_CREDENTIAL_ID_ANNOTATION];
  if (typeof issued === 'string') request.issuedCredentialId = issued;
  if (user.username === undefined && Array.isArray(event.sourceIPs))
    request.sourceIps = event.sourceIPs.filter((ip): ip is string => typeof ip === 'string');
  return request;
}
