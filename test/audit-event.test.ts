import { readFileSync } from 'node:fs';
import { auditEventProblem, observedRequestOf } from '../src/rbac/audit-event.js';
import { auditEvent, saUser, tokenRequestSpec } from './audit-events.js';

const deployer = saUser('shop', 'deployer');

describe('observedRequestOf', () => {
  test('a resource request: identity, verb, resource, namespace, name, code, decision', () => {
    const r = observedRequestOf(
      auditEvent({
        user: deployer,
        verb: 'get',
        apiGroup: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        namespace: 'shop',
        name: 'web',
        time: '2026-01-02T03:04:05.000000Z',
      }),
    );
    expect(r).toEqual({
      identity: deployer,
      verb: 'get',
      apiGroup: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'shop',
      name: 'web',
      code: 200,
      allowed: true,
      time: '2026-01-02T03:04:05.000000Z',
    });
  });

  test('the impersonated user is the identity; the authenticated one is kept as impersonatedBy', () => {
    const r = observedRequestOf(
      auditEvent({
        user: 'admin',
        impersonate: deployer,
        verb: 'list',
        resource: 'pods',
        namespace: 'shop',
      }),
    );
    expect(r.identity).toBe(deployer);
    expect(r.impersonatedBy).toBe('admin');
  });

  test('credential id from user.extra, issued credential id from the TokenRequest annotation', () => {
    const used = observedRequestOf(
      auditEvent({
        user: deployer,
        verb: 'get',
        resource: 'pods',
        namespace: 'shop',
        name: 'a',
        credentialId: 'JTI=abc',
      }),
    );
    expect(used.credentialId).toBe('JTI=abc');
    const minted = observedRequestOf(
      auditEvent(tokenRequestSpec('admin', 'shop', 'deployer', { issuedCredentialId: 'JTI=def' })),
    );
    expect(minted.issuedCredentialId).toBe('JTI=def');
    expect(minted.name).toBe('deployer');
  });

  test('names RBAC does not see are dropped: list, watch, deletecollection, top-level create', () => {
    for (const verb of ['list', 'watch', 'deletecollection', 'create'])
      expect(
        observedRequestOf(
          auditEvent({
            user: deployer,
            verb,
            resource: 'pods',
            namespace: 'shop',
            name: 'from-body',
          }),
        ).name,
      ).toBe('');
  });

  test('decision annotation wins over the status code; without it 401 and 403 are refusals', () => {
    // a 403 from admission (terminating namespace) was allowed by the authorizer
    expect(
      observedRequestOf(
        auditEvent({
          user: deployer,
          verb: 'create',
          resource: 'pods',
          namespace: 'x',
          code: 403,
          decision: 'allow',
        }),
      ).allowed,
    ).toBe(true);
    const bare = auditEvent({
      user: deployer,
      verb: 'get',
      resource: 'pods',
      namespace: 'x',
      name: 'a',
      code: 403,
    });
    delete (bare as { annotations?: unknown }).annotations;
    expect(observedRequestOf(bare).allowed).toBe(false);
    const notFound = { ...bare, responseStatus: { code: 404 } };
    expect(observedRequestOf(notFound).allowed).toBe(true);
  });

  test('a non-resource request has the path without its query', () => {
    const r = observedRequestOf(
      auditEvent({ user: deployer, verb: 'get', path: '/healthz?verbose=1' }),
    );
    expect(r).toMatchObject({ path: '/healthz', resource: '', apiGroup: '' });
  });
});

describe('auditEventProblem', () => {
  test.each([
    [null, 'not a JSON object'],
    [[1], 'not a JSON object'],
    [{ kind: 'Status' }, "kind 'Status' is not Event"],
    [{ kind: 'Event', verb: 'get', stage: 'ResponseComplete' }, 'no user'],
    [
      { kind: 'Event', user: { username: 7 }, verb: 'get', stage: 'ResponseComplete' },
      'user.username is not a string',
    ],
    [{ kind: 'Event', user: { username: 'a' }, stage: 'ResponseComplete' }, 'no verb'],
    [{ kind: 'Event', user: { username: 'a' }, verb: 'get' }, 'no stage'],
  ])('%j: %s', (event, problem) => {
    expect(auditEventProblem(event)).toBe(problem);
  });
  test('a real server\'s event for refused credentials ("user":{}, 401) is a request of no identity, with its source IPs', () => {
    // GIVEN a line captured from kube-apiserver 1.20.2: TokenRequest with an invalid bearer token
    const [line] = readFileSync(
      'test/fixtures/audit/kube-apiserver-1.20-refused-credentials.log',
      'utf8',
    ).split('\n');
    const event = JSON.parse(line) as Record<string, unknown>;
    // THEN
    expect(auditEventProblem(event)).toBeUndefined();
    expect(observedRequestOf(event)).toMatchObject({
      identity: '',
      verb: 'create',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace: 'shop',
      name: 'deployer',
      code: 401,
      allowed: false,
      sourceIps: ['127.0.0.1'],
    });
  });

  test('a real event has none', () => {
    expect(
      auditEventProblem(auditEvent({ user: 'a', verb: 'get', path: '/version' })),
    ).toBeUndefined();
  });
});
