/**
 * Audit events shaped as kube-apiserver's log backend writes them (audit.k8s.io/v1 Event, one
 * JSON object per line), for the audit tests.
 */
import { randomUUID } from 'node:crypto';

export interface EventSpec {
  user: string;
  verb: string;
  resource?: string;
  apiGroup?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
  code?: number;
  decision?: 'allow' | 'forbid';
  stage?: string;
  auditID?: string;
  time?: string;
  impersonate?: string;
  credentialId?: string;
  issuedCredentialId?: string;
}

/** A TokenRequest by `minter` for ServiceAccount `namespace/name`, answered 201. */
export function tokenRequestSpec(
  minter: string,
  namespace: string,
  name: string,
  extra: Partial<EventSpec> = {},
): EventSpec {
  return {
    user: minter,
    verb: 'create',
    resource: 'serviceaccounts',
    subresource: 'token',
    namespace,
    name,
    code: 201,
    ...extra,
  };
}

export function saUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** One event object. */
export function auditEvent(spec: EventSpec): Record<string, unknown> {
  const code = spec.code ?? (spec.decision === 'forbid' ? 403 : 200);
  const decision = spec.decision ?? (code === 403 ? 'forbid' : 'allow');
  const groups = spec.user.startsWith('system:serviceaccount:')
    ? [
        'system:serviceaccounts',
        `system:serviceaccounts:${spec.user.split(':')[2]}`,
        'system:authenticated',
      ]
    : ['system:authenticated'];
  const ns = spec.namespace ? `/namespaces/${spec.namespace}` : '';
  const prefix = spec.apiGroup ? `/apis/${spec.apiGroup}/v1` : '/api/v1';
  const uri =
    spec.path ??
    `${prefix}${ns}/${spec.resource}${spec.name ? `/${spec.name}` : ''}${spec.subresource ? `/${spec.subresource}` : ''}`;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: spec.auditID ?? randomUUID(),
    stage: spec.stage ?? 'ResponseComplete',
    requestURI: uri,
    verb: spec.verb,
    user: {
      username: spec.user,
      groups,
      ...(spec.credentialId
        ? { extra: { 'authentication.kubernetes.io/credential-id': [spec.credentialId] } }
        : {}),
    },
    ...(spec.impersonate
      ? { impersonatedUser: { username: spec.impersonate, groups: ['system:authenticated'] } }
      : {}),
    sourceIPs: ['127.0.0.1'],
    userAgent: 'test/1.0',
    ...(spec.path
      ? {}
      : {
          objectRef: {
            resource: spec.resource,
            ...(spec.namespace ? { namespace: spec.namespace } : {}),
            ...(spec.name ? { name: spec.name } : {}),
            ...(spec.apiGroup ? { apiGroup: spec.apiGroup } : {}),
            apiVersion: 'v1',
            ...(spec.subresource ? { subresource: spec.subresource } : {}),
          },
        }),
    responseStatus: { metadata: {}, code },
    requestReceivedTimestamp: spec.time ?? '2026-01-01T00:00:00.000000Z',
    stageTimestamp: spec.time ?? '2026-01-01T00:00:00.000000Z',
    annotations: {
      'authorization.k8s.io/decision': decision,
      'authorization.k8s.io/reason': '',
      ...(spec.issuedCredentialId
        ? { 'authentication.kubernetes.io/issued-credential-id': spec.issuedCredentialId }
        : {}),
    },
  };
}

/** Events as a JSON-lines log. */
export function auditLog(specs: readonly EventSpec[]): string {
  return specs.map((s) => JSON.stringify(auditEvent(s))).join('\n') + '\n';
}
