import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { AuditUsage } from '../src/rbac/audit-usage.js';
import { analyzeAuditLog } from '../src/runtime/audit/analyze.js';
import { auditEvent, auditLog, saUser } from './audit-events.js';
import { tempDir } from './temp-dir.js';

const USER = saUser('shop', 'deployer');
const SECRET_LOOKING =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl';

describe('analyzeAuditLog', () => {
  test('files, gzip and stdin together; malformed lines counted and located, never quoted', async () => {
    // GIVEN
    const dir = tempDir('audit-analyze-');
    const a = join(dir, 'audit.log.1.gz');
    const b = join(dir, 'audit.log');
    writeFileSync(
      a,
      gzipSync(
        auditLog([{ user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'x' }]),
      ),
    );
    writeFileSync(
      b,
      `${auditLog([{ user: USER, verb: 'list', resource: 'pods', namespace: 'shop' }])}{"token": "${SECRET_LOOKING}"\n[1]\n`,
    );
    const stdin = Readable.from([
      Buffer.from(auditLog([{ user: 'alice', verb: 'get', path: '/version' }])),
    ]);
    // WHEN
    const analysis = await analyzeAuditLog([a, b, '-'], { stdin });
    // THEN
    expect(analysis.files).toEqual([a, b, '-']);
    expect(analysis.lines).toBe(5);
    expect(analysis.malformed).toBe(2);
    expect(analysis.malformedLines).toEqual([
      { source: b, line: 2, problem: 'not valid JSON' },
      { source: b, line: 3, problem: 'not a JSON object' },
    ]);
    expect(JSON.stringify(analysis)).not.toContain(SECRET_LOOKING);
    expect(analysis.report.identities.map((i) => [i.identity, i.count])).toEqual([
      ['alice', 1],
      [USER, 2],
    ]);
    expect(analysis.usage).toHaveLength(3);
  });

  test("a webhook backend's EventList batches, one per line, count item by item", async () => {
    // GIVEN
    const file = join(tempDir('audit-analyze-'), 'webhook.log');
    const items = [
      auditEvent({ user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'x' }),
      auditEvent({ user: USER, verb: 'list', resource: 'pods', namespace: 'shop' }),
    ];
    writeFileSync(
      file,
      `${JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [...items, { kind: 'Event' }] })}\n`,
    );
    // WHEN
    const analysis = await analyzeAuditLog([file]);
    // THEN
    expect(analysis.report.requests).toBe(2);
    expect(analysis.malformedLines).toEqual([
      { source: file, line: 1, problem: 'EventList item: no user' },
    ]);
  });

  test('with an identity, its requests are the same as from a full analysis, impersonated or not; malformed-looking lines are still parsed', async () => {
    // GIVEN the identity's requests among others', one made by impersonation, one in a batch
    const file = join(tempDir('audit-analyze-'), 'audit.log');
    const other = saUser('shop', 'other');
    const specs = [
      { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'x' },
      { user: other, verb: 'list', resource: 'secrets', namespace: 'shop' },
      { user: 'admin', impersonate: USER, verb: 'list', resource: 'pods', namespace: 'shop' },
      { user: `${USER}x`, verb: 'delete', resource: 'pods', namespace: 'shop', name: 'y' },
      { user: 'alice', verb: 'get', path: '/version' },
    ];
    const batch = {
      kind: 'EventList',
      items: [auditEvent({ user: USER, verb: 'watch', resource: 'pods', namespace: 'shop' })],
    };
    writeFileSync(file, `${auditLog(specs)}${JSON.stringify(batch)}\n{"truncated": \n`);
    // WHEN
    const full = await analyzeAuditLog([file]);
    const one = await analyzeAuditLog([file], { identity: USER });
    // THEN
    const mine = full.usage.filter((u) => u.identity === USER);
    expect(mine).toHaveLength(3);
    expect(one.usage).toEqual(mine);
    expect(one.lines).toBe(full.lines);
    // the line that is not an object is parsed and counted though it does not mention USER
    expect(one.malformed).toBe(1);
  });

  test('an identity that JSON may write escaped gets every line parsed', async () => {
    // GIVEN a user name with a slash, written escaped by another JSON writer
    const file = join(tempDir('audit-analyze-'), 'audit.log');
    const line = JSON.stringify(
      auditEvent({ user: 'ci/bot', verb: 'get', path: '/version' }),
    ).replace('ci/bot', 'ci\\/bot');
    writeFileSync(file, `${line}\n`);
    // WHEN
    const analysis = await analyzeAuditLog([file], { identity: 'ci/bot' });
    // THEN
    expect(analysis.usage.map((u) => [u.identity, u.count])).toEqual([['ci/bot', 1]]);
  });

  test('lines read straight from their bytes aggregate exactly as parsed events do', async () => {
    // GIVEN a log of every kind of event (watches in two stages, RequestReceived, impersonation,
    // token ids, minting, URLs, escapes, non-ASCII names), with lines only JSON.parse can read
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return Math.floor((seed / 2 ** 32) * n);
    };
    const users = [USER, saUser('shop', 'app'), 'alice@example.com', 'system:node:n1'];
    const resources = [
      ['', 'pods', ''],
      ['', 'pods', 'log'],
      ['apps', 'deployments', ''],
      ['', 'secrets', ''],
    ];
    const verbs = ['get', 'list', 'watch', 'create', 'update', 'delete'];
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const [apiGroup, resource, subresource] = resources[random(resources.length)];
      const verb = verbs[random(verbs.length)];
      const spec = {
        user: users[random(users.length)],
        verb,
        apiGroup,
        resource,
        subresource,
        namespace: ['shop', 'other', ''][random(3)],
        name: ['a', 'b', 'é名', ''][random(4)],
        code: [200, 200, 200, 201, 403, 404][random(6)],
        time: `2026-01-01T00:${String(random(60)).padStart(2, '0')}:00.${String(random(1e6)).padStart(6, '0')}Z`,
        ...(random(10) === 0 ? { impersonate: saUser('shop', 'deployer') } : {}),
        ...(random(3) === 0 ? { credentialId: `JTI=${random(50)}` } : {}),
        ...(random(8) === 0 ? { path: '/version' } : {}),
      };
      const auditID = `id-${i}`;
      if (random(5) === 0)
        lines.push(JSON.stringify(auditEvent({ ...spec, auditID, stage: 'RequestReceived' })));
      if (verb === 'watch')
        lines.push(JSON.stringify(auditEvent({ ...spec, auditID, stage: 'ResponseStarted' })));
      const line = JSON.stringify(auditEvent({ ...spec, auditID }));
      const odd = random(40);
      // Now and then a line the scanner leaves to JSON.parse: escaped, spaced, malformed.
      lines.push(
        odd === 0
          ? line.replace('"verb"', '"v\\u0065rb"')
          : odd === 1
            ? line.replace('"stage":', '"stage" : ')
            : odd === 2
              ? line.slice(0, -3)
              : line,
      );
    }
    lines.push(
      JSON.stringify({
        kind: 'EventList',
        items: [auditEvent({ user: USER, verb: 'get', resource: 'pods' })],
      }),
    );
    const file = join(tempDir('audit-analyze-'), 'audit.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    // and the aggregate of the parsed events, the way the log was read before the scanner
    const expected = new AuditUsage();
    let malformed = 0;
    for (const line of lines) {
      let event: { kind?: string; items?: unknown[] };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        malformed++;
        continue;
      }
      for (const item of event.kind === 'EventList' ? event.items! : [event])
        if (expected.add(item)) malformed++;
    }
    // WHEN
    const analysis = await analyzeAuditLog([file]);
    // THEN
    expect(analysis.malformed).toBe(malformed);
    expect(malformed).toBeGreaterThan(10);
    expect(analysis.report).toEqual(expected.report());
    expect(analysis.report.tokens.length).toBeGreaterThan(10);
    expect(analysis.report.identities.map((i) => i.identity)).toContain(saUser('shop', 'deployer'));
  });
});
