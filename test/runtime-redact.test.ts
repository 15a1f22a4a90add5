import fc from 'fast-check';
import { safeLogger } from '../src/runtime/logger.js';
import { redactSecrets, registerAuthorization, registerSecret } from '../src/runtime/redact.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redaction', () => {
  test('JWTs, bearer credentials and token fields are redacted', () => {
    expect(redactSecrets(`a ${TOKEN} b`)).toBe('a [REDACTED] b');
    expect(redactSecrets('Authorization: Bearer s3cr3t-value')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(redactSecrets('{"token":"opaque-value"}')).toBe('{"token":"[REDACTED]"}');
  });

  test("the API server's words 'bearer token' are kept; a credential that starts with 'token' is not", () => {
    const reason = 'invalid bearer token, square/go-jose: error in cryptographic primitive';
    expect(redactSecrets(reason)).toBe(reason);
    expect(redactSecrets('Bearer token')).toBe('Bearer token');
    expect(redactSecrets('Authorization: Bearer token.s3cr3t')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(redactSecrets('Bearer tokenS3cr3t')).toBe('Bearer [REDACTED]');
  });

  test('registered secrets are redacted even when they do not look like a JWT', () => {
    registerSecret('plain-secret-123');
    expect(redactSecrets('value plain-secret-123 here')).toBe('value [REDACTED] here');
    const lines: string[] = [];
    safeLogger({ warn: (m) => lines.push(m) }).warn(`leak plain-secret-123 ${TOKEN}`);
    expect(lines).toEqual(['leak [REDACTED] [REDACTED]']);
  });
});

describe('registerAuthorization: the credential a request carries', () => {
  test('a bearer credential that is no JWT (an exec plugin’s) is masked once registered', () => {
    const opaque = '25c49d4b1e598a8fe722919c9fe8c7c3';
    expect(redactSecrets(`echoed ${opaque}`)).toBe(`echoed ${opaque}`);
    registerAuthorization({ Authorization: `Bearer ${opaque}` });
    expect(redactSecrets(`echoed ${opaque}`)).toBe('echoed [REDACTED]');
  });

  test('basic authentication: the header value, the pair and the password', () => {
    const header = Buffer.from('alice:Pa55-w0rd-here').toString('base64');
    registerAuthorization({ authorization: `Basic ${header}` });
    expect(redactSecrets(`a ${header} b alice:Pa55-w0rd-here c Pa55-w0rd-here`)).toBe(
      'a [REDACTED] b [REDACTED] c [REDACTED]',
    );
  });

  test('no Authorization header registers nothing', () => {
    registerAuthorization({ 'Impersonate-User': 'someone-long-enough' });
    expect(redactSecrets('someone-long-enough')).toBe('someone-long-enough');
  });
});

describe('redaction of the forms a credential takes besides a whole JWT', () => {
  const SIGNATURE = 'Qm9ndXNTaWduYXR1cmUtMTIzNDU2Nzg5MC1hYmNkZWZnaGlqa2xtbm9w';
  const PAYLOAD = 'eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpkZXBsb3llciJ9';
  const FULL = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.${PAYLOAD}.${SIGNATURE}`;

  test("a JWT base64-encoded again (a Secret's data), in both alphabets", () => {
    const b64 = Buffer.from(FULL).toString('base64');
    expect(b64.startsWith('ZXlK')).toBe(true);
    expect(redactSecrets(`data: {token: ${b64}}`)).toBe('data: {token: [REDACTED]}');
    expect(redactSecrets(`x=${Buffer.from(FULL).toString('base64url')};`)).toBe('x=[REDACTED];');
  });

  test('a PEM private key: the whole block, whatever its type, and a block cut before its end', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nq+/Zm9vYmFy\n';
    for (const kind of [
      'PRIVATE KEY',
      'RSA PRIVATE KEY',
      'EC PRIVATE KEY',
      'ENCRYPTED PRIVATE KEY',
    ]) {
      const pem = `-----BEGIN ${kind}-----\n${body}-----END ${kind}-----`;
      expect(redactSecrets(`key: ${pem}\nafter`)).toBe('key: [REDACTED PRIVATE KEY]\nafter');
    }
    // As JSON carries it, with escaped line breaks
    const escaped = JSON.stringify(`-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----`);
    expect(redactSecrets(`{"client-key-data":${escaped}}`)).toBe(
      '{"client-key-data":"[REDACTED PRIVATE KEY]"}',
    );
    expect(redactSecrets(`cut -----BEGIN RSA PRIVATE KEY-----\n${body}`)).toBe(
      'cut [REDACTED PRIVATE KEY]',
    );
  });

  test('a token field in single quotes, as util.inspect prints it, and token-named keys', () => {
    expect(redactSecrets("{'token': 'opaque-value'}")).toBe("{'token': '[REDACTED]'}");
    expect(redactSecrets("{ token: 'opaque-value', user: 'u' }")).toBe(
      "{ token: '[REDACTED]', user: 'u' }",
    );
    expect(redactSecrets('{"id-token": "abc", "refresh-token":"def"}')).toBe(
      '{"id-token": "[REDACTED]", "refresh-token":"[REDACTED]"}',
    );
    // An escaped quote does not end the value early
    expect(redactSecrets('{"token":"ab\\"cd"}')).toBe('{"token":"[REDACTED]"}');
  });

  test('a JWT whose header was cut off: payload.signature', () => {
    expect(redactSecrets(`...${PAYLOAD}.${SIGNATURE} end`)).toBe('...[REDACTED] end');
    // Cut inside the header too, and inside the payload
    expect(redactSecrets(`iJ9.${PAYLOAD}.${SIGNATURE}`)).toBe('[REDACTED]');
    expect(redactSecrets(`${PAYLOAD.slice(17)}.${SIGNATURE}`)).toBe('[REDACTED]');
  });

  test('controls: ordinary text is left alone', () => {
    for (const text of [
      'lib.cli.js',
      'kubernetes 1.20.2 and v1.31.0-rc.1',
      '/usr/lib/node_modules/cdk8s-access-tokens/lib/cli/access-tokens.cjs',
      'dashboard-metrics-scraper.kubernetes-dashboard.svc.cluster.local',
      'serviceaccounts/token in namespace shop: deployer-token-4c1d079a',
      'sha256:4f9a8c0e4b3d2a1f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f',
      '3bfd19d4-c50b-4c3b-8fad-55bf72f8fc01.9fd0d5bf-4bd9-4f39-8475-7f6228060cee',
      'the token from --token-file is empty',
      '{"tokenreviews": "create", "token-file": "t.txt"}',
      '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----',
      'Zebra crossing',
      "cannot read the token: 'file.txt' not found",
      '/home/u/Projects/MyProject2024Repository.Release20240101Final/x',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  // How long this takes is measured by bench/redact.ts (a ratio against a linear scan of the
  // same text), not asserted here: this checks what the text becomes, at any length.
  test('a text without dots, short or long, is left as it is', () => {
    const long = 'a-'.repeat(100_000);
    expect(redactSecrets(long)).toBe(long);
    fc.assert(
      fc.property(
        fc.stringOf(fc.constantFrom('a', 'Z', '7', '-', '_', ' ', '/'), { maxLength: 2_000 }),
        (text) => expect(redactSecrets(text)).toBe(text),
      ),
    );
  });

  test('a cut JWT after a long run without dots is still redacted', () => {
    const cut = `${PAYLOAD}.${SIGNATURE}`;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (n) => {
        const prefix = 'a-'.repeat(n);
        expect(redactSecrets(`${prefix} ${cut}`)).toBe(`${prefix} [REDACTED]`);
      }),
      { numRuns: 20 },
    );
  });
});
