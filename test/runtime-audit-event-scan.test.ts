import { auditEventProblem, observedRequestOf } from '../src/rbac/audit-event.js';
import { AuditEventScanner } from '../src/runtime/audit/event-scan.js';
import { auditEvent, saUser, tokenRequestSpec, type EventSpec } from './audit-events.js';

/**
 * The oracle: what `JSON.parse`, `auditEventProblem` and `observedRequestOf` make of a line,
 * independent of the scanner. `undefined` when the line is not an audit event they accept.
 */
function parsed(line: Buffer) {
  let event: unknown;
  try {
    event = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (auditEventProblem(event)) return undefined;
  const e = event as Record<string, unknown>;
  return {
    stage: e.stage as string,
    auditId: typeof e.auditID === 'string' ? e.auditID : '',
    request: observedRequestOf(e),
  };
}

/** What the scanner vouches for, or `undefined` when it leaves the line to JSON.parse. */
function scanned(scanner: AuditEventScanner, line: Buffer) {
  // A line's newline follows it, as in a log.
  const buf = Buffer.concat([line, Buffer.from('\n')]);
  if (!scanner.scan(buf, 0, line.length)) return undefined;
  return { stage: scanner.stage, auditId: scanner.auditId(), request: scanner.request() };
}

/**
 * The scanner's contract on one line: when it vouches, the line is an audit event and every
 * field is what the slow path reads; else the slow path decides.
 */
function expectAgreement(scanner: AuditEventScanner, line: Buffer): boolean {
  const fast = scanned(scanner, line);
  if (fast !== undefined) {
    const slow = parsed(line);
    expect(slow).toBeDefined();
    expect(fast).toEqual(slow);
    // The same keys in the same order: one object shape for the aggregate's hot path.
    expect(Object.keys(fast.request)).toEqual(Object.keys(slow!.request));
  }
  return fast !== undefined;
}

const USER = saUser('shop', 'deployer');

/** Events of every kind the API server writes, one per line. */
const SPECS: EventSpec[] = [
  { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'web-1' },
  { user: USER, verb: 'list', resource: 'pods', namespace: 'shop' },
  { user: USER, verb: 'watch', resource: 'pods', namespace: 'shop', stage: 'ResponseStarted' },
  { user: USER, verb: 'create', resource: 'pods', namespace: 'shop', name: 'web-2', code: 201 },
  { user: USER, verb: 'get', resource: 'pods', subresource: 'log', namespace: 'shop', name: 'a' },
  {
    user: USER,
    verb: 'update',
    apiGroup: 'apps',
    resource: 'deployments',
    subresource: 'scale',
    namespace: 'shop',
    name: 'web',
  },
  { user: USER, verb: 'delete', resource: 'secrets', namespace: 'other', name: 'x', code: 403 },
  { user: 'alice@example.com', verb: 'get', path: '/version' },
  { user: 'alice@example.com', verb: 'get', path: '/healthz?verbose=1' },
  { user: 'system:node:n1', verb: 'list', resource: 'nodes' },
  { user: 'admin', verb: 'get', resource: 'pods', namespace: 'shop', name: 'a', impersonate: USER },
  { user: USER, verb: 'get', resource: 'configmaps', namespace: 'shop', credentialId: 'JTI=abc' },
  tokenRequestSpec('system:kube-controller-manager', 'shop', 'deployer', {
    issuedCredentialId: 'JTI=def',
  }),
  { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'x', code: 404 },
  { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', name: 'é-ü-名前' },
  { user: USER, verb: 'get', resource: 'pods', namespace: 'shop', time: '2026-03-01T10:00:00Z' },
];

const LINES = SPECS.map((s) => Buffer.from(JSON.stringify(auditEvent(s))));

/** `JSON.stringify` of an event changed by `edit`. */
function lineWith(edit: (event: Record<string, unknown>) => void, spec = SPECS[0]): Buffer {
  const event = auditEvent(spec);
  edit(event);
  return Buffer.from(JSON.stringify(event));
}

/** `line` with its first `from` replaced by `to`. */
function replaced(line: Buffer, from: string, to: string): Buffer {
  const text = line.toString('utf8');
  expect(text).toContain(from);
  return Buffer.from(text.replace(from, to), 'utf8');
}

describe('AuditEventScanner', () => {
  test('reads every kind of event the API server writes, as JSON.parse and observedRequestOf do', () => {
    // GIVEN
    const scanner = new AuditEventScanner();
    // WHEN
    const vouched = LINES.map((line) => expectAgreement(scanner, line));
    // THEN: it reads them all itself (none left to JSON.parse)
    expect(vouched.every(Boolean)).toBe(true);
  });

  test("a field's value with escapes is decoded as JSON decodes it", () => {
    const scanner = new AuditEventScanner();
    const lines = [
      replaced(LINES[0], '"web-1"', '"w\\u0065b-\\"1\\"\\\\\\/\\n\\t"'),
      replaced(LINES[7], '"/version"', '"\\/version\\u003c\\u0026"'),
      replaced(LINES[0], `"${USER}"`, '"system:serviceaccount:shop:d\\u00e9ployer"'),
      replaced(LINES[0], '"Event"', '"\\u0045vent"'),
    ];
    for (const line of lines) expect(expectAgreement(scanner, line)).toBe(true);
    expect(scanned(scanner, lines[0])?.request.name).toBe('web-"1"\\/\n\t');
  });

  test('numbers as JSON writes them: the status code in any form', () => {
    const scanner = new AuditEventScanner();
    for (const code of ['2e2', '200.0', '-0', '404', '1E+2', '0.5e1', '12345678901234567890']) {
      const line = replaced(LINES[0], '"code":200', `"code":${code}`);
      expect(expectAgreement(scanner, line)).toBe(true);
      expect(scanned(scanner, line)?.request.code).toBe(Number(code));
    }
  });

  test('leaves to JSON.parse what it does not vouch for, and JSON.parse then decides', () => {
    // Each of these is either not an audit event, or one whose reading needs JSON.parse's
    // rules (escaped keys, repeated keys, white space, other types than the API server writes).
    const scanner = new AuditEventScanner();
    const cases: [string, Buffer][] = [
      ['escaped key spelling a field', replaced(LINES[0], '"verb"', '"v\\u0065rb"')],
      ['escaped key of another length', replaced(LINES[0], '"stage"', '"\\u0073tage"')],
      [
        'escaped key of an optional field',
        replaced(LINES[0], '"name":"web-1"', '"n\\u0061me":"web-1"'),
      ],
      ['a key given twice', replaced(LINES[0], '"verb":"get"', '"verb":"get","verb":"list"')],
      ['an object given twice', replaced(LINES[0], '"user":{', '"user":{"username":"x"},"user":{')],
      ['white space', replaced(LINES[0], '"verb":"get"', '"verb" : "get"')],
      ['leading white space', Buffer.concat([Buffer.from(' '), LINES[0]])],
      ['kind EventList', replaced(LINES[0], '"kind":"Event"', '"kind":"EventList"')],
      ['kind null', replaced(LINES[0], '"kind":"Event"', '"kind":null')],
      ['verb not a string', replaced(LINES[0], '"verb":"get"', '"verb":7')],
      ['user a list', lineWith((e) => (e.user = [e.user]))],
      ['no username', lineWith((e) => delete (e.user as Record<string, unknown>).username)],
      ['no stage', lineWith((e) => delete e.stage)],
      ['impersonatedUser null', lineWith((e) => (e.impersonatedUser = null))],
      ['objectRef a string', lineWith((e) => (e.objectRef = 'pods'))],
      ['extra a list', lineWith((e) => ((e.user as Record<string, unknown>).extra = []))],
      [
        'credential ids empty',
        lineWith(
          (e) =>
            ((e.user as Record<string, unknown>).extra = {
              'authentication.kubernetes.io/credential-id': [],
            }),
        ),
      ],
      [
        'credential id a number',
        lineWith(
          (e) =>
            ((e.user as Record<string, unknown>).extra = {
              'authentication.kubernetes.io/credential-id': [1, 'JTI=x'],
            }),
        ),
      ],
      [
        'decision a number',
        replaced(
          LINES[0],
          '"authorization.k8s.io/decision":"allow"',
          '"authorization.k8s.io/decision":1',
        ),
      ],
      ['code a string', replaced(LINES[0], '"code":200', '"code":"200"')],
      ['auditID a number', lineWith((e) => (e.auditID = 5))],
      ['a list at the top', Buffer.from(`[${LINES[0].toString()}]`)],
      [
        'deep nesting',
        lineWith((e) => (e.requestObject = JSON.parse('['.repeat(100) + ']'.repeat(100)))),
      ],
      // not JSON at all
      ['trailing comma', replaced(LINES[0], '"verb":"get",', '"verb":"get",}')],
      ['missing brace', LINES[0].subarray(0, LINES[0].length - 1)],
      ['text after the object', Buffer.concat([LINES[0], Buffer.from('x')])],
      ['a second object', Buffer.concat([LINES[0], LINES[1]])],
      ['control character in a string', replaced(LINES[0], '"test/1.0"', '"test/\t1.0"')],
      ['bad escape', replaced(LINES[0], '"test/1.0"', '"test\\x1.0"')],
      ['short unicode escape', replaced(LINES[0], '"test/1.0"', '"test\\u00"')],
      ['leading zero', replaced(LINES[0], '"code":200', '"code":0200')],
      ['bare fraction', replaced(LINES[0], '"code":200', '"code":.5')],
      ['fraction without digits', replaced(LINES[0], '"code":200', '"code":2.')],
      ['exponent without digits', replaced(LINES[0], '"code":200', '"code":2e')],
      ['plus sign', replaced(LINES[0], '"code":200', '"code":+200')],
      ['bad literal', replaced(LINES[0], '"metadata":{}', '"metadata":tru')],
      ['single quotes', replaced(LINES[0], '"verb":"get"', "'verb':'get'")],
      ['byte beyond ASCII outside a string', replaced(LINES[0], ',"verb"', ',\u00e9"verb"')],
      ['byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), LINES[0]])],
      ['empty', Buffer.alloc(0)],
      ['just a brace', Buffer.from('{')],
    ];
    for (const [label, line] of cases) {
      const fast = scanned(scanner, line);
      expect({ label, vouched: fast !== undefined }).toEqual({ label, vouched: false });
    }
    // The slow path still reads the unusual but valid ones: nothing is lost by leaving them.
    const slow = (label: string) => parsed(new Map(cases).get(label)!)?.request;
    expect(slow('escaped key spelling a field')?.verb).toBe('get');
    expect(slow('escaped key of an optional field')?.name).toBe('web-1');
    expect(slow('a key given twice')?.verb).toBe('list');
    expect(slow('white space')?.verb).toBe('get');
    expect(slow('deep nesting')?.verb).toBe('get');
  });

  test('invalid UTF-8 inside a string is read as reading the line as text reads it', () => {
    const scanner = new AuditEventScanner();
    const text = LINES[0].toString('latin1');
    const at = text.indexOf('"name":"web-1"') + '"name":"'.length;
    const line = Buffer.concat([
      LINES[0].subarray(0, at),
      Buffer.from([0xe2, 0x82, 0x41, 0xff, 0xc3]),
      LINES[0].subarray(at),
    ]);
    expect(expectAgreement(scanner, line)).toBe(true);
    expect(scanned(scanner, line)?.request.name).toContain('\ufffd');
  });

  test('a scan ends at the line: bytes after it are never read as part of it', () => {
    const scanner = new AuditEventScanner();
    const line = LINES[0];
    // The line cut short, in a buffer that goes on with the rest of it.
    const cut = line.length - 20;
    expect(scanner.scan(line, 0, cut)).toBe(false);
    // Two lines in one buffer, the second read by its range.
    const both = Buffer.concat([LINES[1], Buffer.from('\n'), LINES[2], Buffer.from('\n')]);
    expect(scanner.scan(both, LINES[1].length + 1, LINES[1].length + 1 + LINES[2].length)).toBe(
      true,
    );
    expect(scanner.request()).toEqual(observedRequestOf(JSON.parse(LINES[2].toString())));
  });

  test('random corruptions of real events: whatever it vouches for, JSON.parse reads alike', () => {
    // GIVEN a seeded stream of edits that JSON is sensitive to
    let seed = 20261206;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const alphabet = Buffer.from('{}[]:,"\\ \t0123456789.-+eEtrufalsn\u00e9x', 'utf8');
    const scanner = new AuditEventScanner();
    let vouched = 0;
    let left = 0;
    // WHEN
    for (let i = 0; i < 4000; i++) {
      const source = LINES[Math.floor(random() * LINES.length)];
      const bytes = [...source];
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * bytes.length);
        const kind = random();
        const byte = alphabet[Math.floor(random() * alphabet.length)];
        if (kind < 0.4) bytes[at] = byte;
        else if (kind < 0.7) bytes.splice(at, 1);
        else if (kind < 0.95) bytes.splice(at, 0, byte);
        else bytes.length = at;
      }
      // THEN
      if (expectAgreement(scanner, Buffer.from(bytes))) vouched++;
      else left++;
    }
    // Both outcomes happen: the property is tested on each.
    expect(vouched).toBeGreaterThan(100);
    expect(left).toBeGreaterThan(100);
  });
});
