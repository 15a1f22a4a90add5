import { readFileSync } from 'node:fs';
import { AuditUsage } from '../src/rbac/audit-usage.js';
import { auditEvent, saUser, type EventSpec, tokenRequestSpec } from './audit-events.js';

const deployer = saUser('shop', 'deployer');
const REFUSED_CREDENTIALS_LOG = 'test/fixtures/audit/kube-apiserver-1.20-refused-credentials.log';

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
    expect(r.unlistedNameRequests).toBe(2);
    expect(r.count).toBe(5);
  });

  test('every capped list keeps exact counts, a bounded sample and the count of what it left out', () => {
    // GIVEN 7 names, each requested (i + 1) times, 6 impersonators, 5 minted token ids and
    // one token used for 6 kinds of request, with a cap of 2
    const specs: EventSpec[] = [];
    for (let i = 0; i < 7; i++)
      for (let k = 0; k <= i; k++)
        specs.push({
          user: deployer,
          verb: 'get',
          resource: 'pods',
          namespace: 'shop',
          name: `p${i}`,
        });
    for (let i = 0; i < 6; i++)
      specs.push({
        user: `admin-${i}`,
        impersonate: deployer,
        verb: 'list',
        resource: 'pods',
        namespace: 'shop',
      });
    for (let i = 0; i < 5; i++)
      specs.push(tokenRequestSpec('admin', 'shop', 'deployer', { issuedCredentialId: `JTI=${i}` }));
    for (const resource of ['a', 'b', 'c', 'd', 'e', 'f'])
      for (let k = 0; k < 2; k++)
        specs.push({
          user: deployer,
          verb: 'list',
          resource,
          namespace: 'shop',
          credentialId: 'JTI=9',
        });
    // WHEN
    const report = usageOf(specs, 2);
    // THEN names: the first two seen; the other 5 names' 3 + 4 + 5 + 6 + 7 requests unlisted
    const requests = report.identities.find((i) => i.identity === deployer)!.requests;
    const get = requests.find((r) => r.verb === 'get')!;
    expect([get.count, get.names, get.unlistedNameRequests]).toEqual([28, ['p0', 'p1'], 25]);
    // impersonators: two listed, the other four requests counted
    const list = requests.find((r) => r.verb === 'list' && r.resource === 'pods')!;
    expect([list.count, list.impersonatedBy, list.unlistedImpersonatedRequests]).toEqual([
      6,
      ['admin-0', 'admin-1'],
      4,
    ]);
    // minted ids: the latest two listed, three older ones counted
    expect(report.minting).toEqual([
      expect.objectContaining({
        minted: 5,
        credentialIds: ['JTI=3', 'JTI=4'],
        unlistedCredentialIds: 3,
      }),
    ]);
    // token use: two kinds listed, the 8 requests of the other four kinds counted
    expect(report.tokens).toEqual([
      expect.objectContaining({
        credentialId: 'JTI=9',
        count: 12,
        requests: ['list a', 'list b'],
        unlistedRequests: 8,
      }),
    ]);
  });

  test('codes are listed in numeric order, whatever order they were seen in', () => {
    // GIVEN status codes seen out of order, one of them not an HTTP code
    const codes = [503, 404, 200, 404, 0];
    const [r] = usageOf(
      codes.map((code) => ({ user: deployer, verb: 'get', resource: 'pods', name: 'a', code })),
    ).identities[0].requests;
    // THEN as JSON.stringify writes them: keys ascending, one count each
    expect(JSON.stringify(r.codes)).toBe('{"0":1,"200":1,"404":2,"503":1}');
  });

  test('the default cap of 20 holds for lists grown in place and copied past 16', () => {
    // GIVEN 30 names (each twice) and 30 kinds of request with one token, beyond the default cap
    const specs: EventSpec[] = [];
    for (let i = 0; i < 30; i++)
      for (let k = 0; k < 2; k++) {
        const name = `p${String(i).padStart(2, '0')}`;
        specs.push({ user: deployer, verb: 'get', resource: 'pods', namespace: 'shop', name });
        specs.push({
          user: deployer,
          verb: 'list',
          resource: `r${String(i).padStart(2, '0')}`,
          namespace: 'shop',
          credentialId: 'JTI=1',
        });
      }
    // WHEN
    const report = usageOf(specs);
    // THEN the first 20 seen are listed, sorted; the other ten's requests are counted
    const get = report.identities[0].requests.find((r) => r.verb === 'get')!;
    const first20 = Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    expect([get.count, get.names, get.unlistedNameRequests]).toEqual([60, first20, 20]);
    expect(report.tokens[0]).toEqual(
      expect.objectContaining({
        count: 60,
        requests: first20.map((n) => `list r${n.slice(1)}`),
        unlistedRequests: 20,
      }),
    );
  });

  test('nothing unlisted under the cap', () => {
    const [r] = usageOf([
      { user: deployer, verb: 'get', resource: 'pods', namespace: 'shop', name: 'a' },
      { user: deployer, verb: 'get', resource: 'pods', namespace: 'shop', name: 'a' },
    ]).identities[0].requests;
    expect([
      r.names,
      r.namesTruncated,
      r.unlistedNameRequests,
      r.unlistedImpersonatedRequests,
    ]).toEqual([['a'], false, 0, 0]);
  });

  test('request kinds differing in one field only are kept apart', () => {
    // GIVEN one base request and variants, each differing from it in one field
    const base: EventSpec = {
      user: deployer,
      verb: 'get',
      resource: 'pods',
      apiGroup: '',
      namespace: 'a',
    };
    const variants: EventSpec[] = [
      base,
      { ...base, user: 'alice' },
      { ...base, verb: 'list' },
      { ...base, apiGroup: 'apps' },
      { ...base, resource: 'deployments' },
      { ...base, subresource: 'status' },
      { ...base, namespace: 'b' },
      { ...base, decision: 'forbid' },
      { user: deployer, verb: 'get', path: '/version' },
      { user: deployer, verb: 'get', path: '/healthz' },
    ];
    // WHEN each is seen twice
    const report = usageOf([...variants, ...variants]);
    // THEN ten kinds of two requests each
    const kinds = report.identities.flatMap((i) => i.requests);
    expect(kinds).toHaveLength(10);
    expect(kinds.every((k) => k.count === 2)).toBe(true);
  });

  test('token minting per minter and ServiceAccount with issued credential ids; token use per credential id', () => {
    const report = usageOf([
      tokenRequestSpec('admin', 'shop', 'deployer', { issuedCredentialId: 'JTI=1' }),
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

  test("requests whose credentials were refused (the real server's 401 events) are counted apart, with their source IPs, and attributed to no identity", () => {
    // GIVEN events captured from kube-apiserver 1.20.2 (shared/tools/kube-apiserver) with curl:
    // an invalid bearer token for TokenRequest on shop/deployer (twice, once through a proxy
    // header X-Forwarded-For: 203.0.113.7), for listing shop's Secrets and for /version, and
    // the admin listing shop's Secrets. The server writes the refused ones with "user":{}.
    const lines = readFileSync(REFUSED_CREDENTIALS_LOG, 'utf8').trim().split('\n');
    const usage = new AuditUsage();
    // WHEN
    const problems = lines.map((l) => usage.add(JSON.parse(l)));
    const report = usage.report();
    // THEN every line is an event; the refused requests are not any identity's
    expect(problems).toEqual(lines.map(() => undefined));
    expect(report.requests).toBe(5);
    expect(report.identities.map((i) => i.identity)).toEqual(['admin']);
    expect(usage.requestUsage().map((u) => u.identity)).toEqual(['admin']);
    expect(report.minting).toEqual([]);
    const refused = report.unauthenticated.map((u) => ({
      request: `${u.verb} ${u.path ?? `${u.resource}/${u.subresource}`} ${u.namespace}/${u.names.join(',')}`,
      allowed: u.allowed,
      codes: u.codes,
      count: u.count,
      sourceIps: u.sourceIps,
    }));
    expect(refused).toEqual([
      {
        request: 'get /version /',
        allowed: false,
        codes: { 401: 1 },
        count: 1,
        sourceIps: ['127.0.0.1'],
      },
      {
        request: 'list secrets/ shop/',
        allowed: false,
        codes: { 401: 1 },
        count: 1,
        sourceIps: ['127.0.0.1'],
      },
      {
        request: 'create serviceaccounts/token shop/deployer',
        allowed: false,
        codes: { 401: 2 },
        count: 2,
        sourceIps: ['127.0.0.1', '203.0.113.7'],
      },
    ]);
  });

  test('the source IPs of refused requests are capped at maxNames, counting the requests left out', () => {
    const usage = new AuditUsage({ maxNames: 1 });
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.1'])
      usage.add({
        kind: 'Event',
        stage: 'ResponseStarted',
        verb: 'get',
        user: {},
        sourceIPs: [ip],
        requestURI: '/api',
        responseStatus: { code: 401 },
      });
    expect(usage.report().unauthenticated).toEqual([
      expect.objectContaining({ count: 4, sourceIps: ['10.0.0.1'], unlistedSourceIpRequests: 2 }),
    ]);
  });

  test('malformed events are reported, not counted', () => {
    const usage = new AuditUsage();
    expect(usage.add({ kind: 'Event' })).toBe('no user');
    expect(usage.report().requests).toBe(0);
  });

  test('rejects maxNames below 1', () => {
    expect(() => new AuditUsage({ maxNames: 0 })).toThrow(
      /maxNames must be a whole number of at least 1, got 0/,
    );
  });
});
