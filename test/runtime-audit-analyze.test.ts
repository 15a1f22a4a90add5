import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
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
      { source: file, line: 1, problem: 'EventList item: no user.username' },
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
});
