import { AuditUsage } from '../src/rbac/audit-usage.js';
import { auditEvent, saUser, type EventSpec } from './audit-events.js';

const deployer = saUser('shop', 'deployer');

function usageOf(specs: EventSpec[], maxNames?: number) {
  const usage = new AuditUsage({ maxNames });
  for (const s of specs) expect(usage.add(auditEvent(s))).toBeUndefined();
  return usage.report();
}

describe('AuditUsage', () => {
  test('per identity: request kinds with counts, codes, names, first and last seen', () => {
    // GIVEN
    const report = usageOf([
      {
        user: deployer,
        verb: 'get',
        resource: 'pods',
        namespace: 'shop',
        name: 'a',
        time: '2026-01-01T00:00:02.000000Z',
      },
      {
        user: deployer,
        verb: 'get',
        resource: 'pods',
        namespace: 'shop',
        name: 'b',
        code: 404,
        time: '2026-01-01T00:00:01.000000Z',
      },
      {
        user: deployer,
        verb: 'get',
        resource: 'pods',
        namespace: 'shop',
        name: 'a',
        time: '2026-01-01T00:00:03.000000Z',
      },
      {
        user: deployer,
        verb: 'delete',
        resource: 'pods',
        namespace: 'shop',
        name: 'a',
        decision: 'forbid',
      },
      { user: 'alice', verb: 'list', resource: 'pods', namespace: 'shop' },
    ]);
    // THEN
    expect(report.requests).toBe(5);
    expect(report.identities.map((i) => [i.identity, i.kind, i.count, i.denied])).toEqual([
      ['alice', 'User', 1, 0],
      [deployer, 'ServiceAccount', 4, 1],
    ]);
    const [get, del] = report.identities[1].requests
      .filter((r) => r.resource === 'pods')
      .sort((a, b) => a.verb.localeCompare(b.verb))
      .reverse();
    expect(get).toMatchObject({
      verb: 'get',
      names: ['a', 'b'],
      nameless: false,
      codes: { '200': 2, '404': 1 },
      count: 3,
      allowed: true,
      first: '2026-01-01T00:00:01.000000Z',
      last: '2026-01-01T00:00:03.000000Z',
    });
    expect(del).toMatchObject({ verb: 'delete', allowed: false, codes: { '403': 1 } });
  });

  test('one request counts once: RequestReceived skipped, a watch counted at ResponseStarted not again at ResponseComplete', () => {
    const report = usageOf([
      {
        user: deployer,
        verb: 'get',
        resource: 'pods',
        namespace: 'shop',
        name: 'a',
        stage: 'RequestReceived',
        auditID: 'r1',
      },
      {
        user: deployer,
        verb: 'get',
        resource: 'pods',
        namespace: 'shop',
        name: 'a',
        stage: 'ResponseComplete',
        auditID: 'r1',
      },
      {
        user: deployer,
        verb: 'watch',
        resource: 'pods',
        namespace: 'shop',
        stage: 'ResponseStarted',
        auditID: 'w1',
      },
      {
        user: deployer,
        verb: 'watch',
        resource: 'pods',
        namespace: 'shop',
        stage: 'ResponseComplete',
        auditID: 'w1',
      },
      {
        user: deployer,
        verb: 'watch',
        resource: 'pods',
        namespace: 'shop',
        stage: 'ResponseStarted',
        auditID: 'w2',
      },
    ]);
    expect(report.requests).toBe(3);
    expect(report.identities[0].requests.map((r) => [r.verb, r.count])).toEqual([
      ['get', 1],
      ['watch', 2],
    ]);
  });

  test('names are capped, and the cap is visible', () => {
    const specs = Array.from({ length: 5 }, (_, i) => ({
      user: deployer,
      verb: 'get',
      resource: 'pods',
      namespace: 'shop',
      name: `p${i}`,
    }));
    const [r] = usageOf(specs, 3).identities[0].requests;
    expect(r.names).toEqual(['p0', 'p1', 'p2']);
    expect(r.namesTruncated).toBe(true);
    expect(r.count).toBe(5);
  });

  test('token minting per minter and ServiceAccount with issued credential ids; token use per credential id', () => {
    const report = usageOf([
      {
        user: 'admin',
        verb: 'create',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'shop',
        name: 'deployer',
        code: 201,
        issuedCredentialId: 'JTI=1',
      },
      {
        user: 'admin',
        verb: 'create',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'shop',
        name: 'deployer',
        code: 422,
      },
      { user: deployer, verb: 'list', resource: 'pods', namespace: 'shop', credentialId: 'JTI=1' },
      { user: deployer, verb: 'get', path: '/version', credentialId: 'JTI=1' },
    ]);
    expect(report.minting).toEqual([
      expect.objectContaining({
        minter: 'admin',
        serviceAccount: 'shop/deployer',
        minted: 1,
        failed: 1,
        credentialIds: ['JTI=1'],
      }),
    ]);
    expect(report.tokens).toEqual([
      expect.objectContaining({
        credentialId: 'JTI=1',
        identity: deployer,
        count: 2,
        requests: ['get /version', 'list pods'],
      }),
    ]);
  });

  test("impersonated requests are the impersonated identity's, naming who impersonated", () => {
    const report = usageOf([
      { user: 'admin', impersonate: deployer, verb: 'list', resource: 'pods', namespace: 'shop' },
    ]);
    expect(report.identities.map((i) => i.identity)).toEqual([deployer]);
    expect(report.identities[0].requests[0].impersonatedBy).toEqual(['admin']);
  });

  test('malformed events are reported, not counted', () => {
    const usage = new AuditUsage();
    expect(usage.add({ kind: 'Event' })).toBe('no user.username');
    expect(usage.report().requests).toBe(0);
  });

  test('rejects maxNames below 1', () => {
    expect(() => new AuditUsage({ maxNames: 0 })).toThrow(
      /maxNames must be a whole number of at least 1, got 0/,
    );
  });
});
