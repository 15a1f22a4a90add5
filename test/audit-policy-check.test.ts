import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { AuditPolicyCheck, checkAuditPolicy } from '../src/rbac/audit-policy-check.js';
import type { AuditPolicyRule } from '../src/rbac/audit-policy.js';

const DOCS_EXAMPLE = 'test/fixtures/audit/k8s-docs-audit-policy.yaml';

function policy(rules: AuditPolicyRule[], omitStages: string[] | null = ['RequestReceived']) {
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    ...(omitStages ? { omitStages } : {}),
    rules,
  };
}

const METADATA_SENSITIVE: AuditPolicyRule = {
  level: 'Metadata',
  resources: [
    { group: '', resources: ['serviceaccounts/token', 'secrets', 'configmaps'] },
    { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
  ],
};

const summary = (doc: unknown) =>
  checkAuditPolicy(doc).map((f) => [f.id, f.severity, f.location?.ruleIndex]);

describe('checkAuditPolicy', () => {
  test("the Kubernetes docs' example: ConfigMap bodies in kube-system and TokenRequest bodies are recorded (warnings), Secrets and tokens are not", () => {
    // GIVEN
    const doc = load(readFileSync(DOCS_EXAMPLE, 'utf8'));
    // WHEN
    const findings = checkAuditPolicy(doc, { source: DOCS_EXAMPLE });
    // THEN
    expect(findings.map((f) => [f.id, f.severity, f.location?.ruleIndex])).toEqual([
      [AuditPolicyCheck.CONFIGMAP_BODY, 'warning', 5],
      [AuditPolicyCheck.TOKEN_REQUEST_BODY, 'warning', 7],
    ]);
    expect(findings[0].message).toMatch(/namespace 'kube-system'/);
    expect(findings[0].location?.source).toBe(DOCS_EXAMPLE);
  });

  test('a catch-all RequestResponse records tokens and Secrets: errors at that rule', () => {
    expect(summary(policy([{ level: 'RequestResponse' }]))).toEqual([
      [AuditPolicyCheck.TOKEN_BODY, 'error', 0],
      [AuditPolicyCheck.TOKEN_BODY, 'error', 0],
      [AuditPolicyCheck.SECRET_BODY, 'error', 0],
      [AuditPolicyCheck.CONFIGMAP_BODY, 'warning', 0],
    ]);
  });

  test('the same catch-all after a Metadata rule for the sensitive resources is clean', () => {
    expect(summary(policy([METADATA_SENSITIVE, { level: 'RequestResponse' }]))).toEqual([]);
  });

  test('a Metadata rule that only some users match does not protect the others', () => {
    // GIVEN
    const restricted = { ...METADATA_SENSITIVE, users: ['alice'] };
    // WHEN
    const findings = checkAuditPolicy(policy([restricted, { level: 'Request' }]));
    // THEN: Request records TokenReview requests (the token) and Secret writes, for anyone but alice
    expect(findings.map((f) => f.id)).toEqual([
      AuditPolicyCheck.TOKEN_REQUEST_BODY,
      AuditPolicyCheck.TOKEN_BODY,
      AuditPolicyCheck.SECRET_BODY,
      AuditPolicyCheck.CONFIGMAP_BODY,
    ]);
    expect(findings.every((f) => f.location?.ruleIndex === 1)).toBe(true);
    expect(findings[2].message).not.toMatch(/alice/);
  });

  test('Request on Secrets for reads only records no Secret data; for writes it does', () => {
    const reads = {
      level: 'Request' as const,
      verbs: ['get', 'list'],
      resources: [{ group: '', resources: ['secrets'] }],
    };
    const writes = { ...reads, verbs: ['update'] };
    expect(summary(policy([reads, METADATA_SENSITIVE]))).toEqual([]);
    expect(summary(policy([writes, METADATA_SENSITIVE]))).toEqual([
      [AuditPolicyCheck.SECRET_BODY, 'error', 0],
    ]);
  });

  test('wildcards reach the sensitive resources as the API server matches them', () => {
    // '*/token' matches serviceaccounts/token; 'serviceaccounts/*' too; 'serviceaccounts' does not
    for (const resources of [['*/token'], ['serviceaccounts/*'], ['*']]) {
      const rule = { level: 'RequestResponse' as const, resources: [{ group: '', resources }] };
      expect(summary(policy([rule, METADATA_SENSITIVE]))[0]).toEqual([
        AuditPolicyCheck.TOKEN_BODY,
        'error',
        0,
      ]);
    }
    const plain = {
      level: 'RequestResponse' as const,
      resources: [{ group: '', resources: ['serviceaccounts'] }],
    };
    expect(summary(policy([plain, METADATA_SENSITIVE]))).toEqual([]);
  });

  test('token minting not recorded: an error when nobody is, a warning when some are not', () => {
    const none = {
      level: 'None' as const,
      resources: [{ group: '', resources: ['serviceaccounts/token'] }],
    };
    expect(summary(policy([none, METADATA_SENSITIVE]))).toEqual([
      [AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED, 'error', undefined],
    ]);
    expect(
      summary(
        policy([
          METADATA_SENSITIVE.resources ? { ...METADATA_SENSITIVE, level: 'None' } : none,
          { level: 'Metadata' },
        ]),
      ),
    ).toEqual([[AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED, 'error', undefined]]);
    const someUsers = { ...none, userGroups: ['system:nodes'] };
    const findings = checkAuditPolicy(policy([someUsers, METADATA_SENSITIVE]));
    expect(findings.map((f) => [f.id, f.severity, f.location?.ruleIndex])).toEqual([
      [AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED, 'warning', 0],
    ]);
    expect(findings[0].message).toMatch(/system:nodes/);
    // a policy that matches nothing records nothing
    const unrelated = { level: 'Metadata' as const, resources: [{ group: 'apps' }] };
    expect(summary(policy([unrelated]))).toEqual([
      [AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED, 'error', undefined],
    ]);
  });

  test('a policy that omits ResponseComplete for TokenRequests does not record minting', () => {
    const rule = { ...METADATA_SENSITIVE, omitStages: ['ResponseComplete' as const] };
    expect(summary(policy([rule, { level: 'Metadata' }]))[0]).toEqual([
      AuditPolicyCheck.TOKEN_MINTING_NOT_RECORDED,
      'error',
      undefined,
    ]);
  });

  test('missing omitStages is a warning, unless every rule omits RequestReceived', () => {
    expect(summary(policy([METADATA_SENSITIVE], null))).toEqual([
      [AuditPolicyCheck.NO_OMIT_STAGES, 'warning', undefined],
    ]);
    const everyRule = { ...METADATA_SENSITIVE, omitStages: ['RequestReceived' as const] };
    expect(summary(policy([everyRule], null))).toEqual([]);
  });

  test('an invalid policy gets only audit-policy-invalid errors, one per problem', () => {
    const findings = checkAuditPolicy({
      apiVersion: 'audit.k8s.io/v1beta1',
      kind: 'Policy',
      rules: [{ level: 'All' }],
    });
    expect(findings.map((f) => f.id)).toEqual([AuditPolicyCheck.INVALID, AuditPolicyCheck.INVALID]);
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });
});
