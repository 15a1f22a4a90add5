import {
  AccessTokensError,
  explainForbidden,
  redactSecrets,
  registerSecret,
  safeLogger,
  toAccessTokensError,
} from '../src/runtime/errors.js';
import { isRetryable } from '../src/runtime/retry.js';

const apiError = (code: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(
    new Error(
      `HTTP-Code: ${code}\nBody: ${JSON.stringify(body)}\nHeaders: ${JSON.stringify(headers)}`,
    ),
    { code, body, headers },
  );

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redaction', () => {
  test('JWTs, bearer credentials and token fields are redacted', () => {
    expect(redactSecrets(`a ${TOKEN} b`)).toBe('a [REDACTED] b');
    expect(redactSecrets('Authorization: Bearer s3cr3t-value')).toBe(
      'Authorization: Bearer [REDACTED]',
    );
    expect(redactSecrets('{"token":"opaque-value"}')).toBe('{"token":"[REDACTED]"}');
  });

  test('registered secrets are redacted even when they do not look like a JWT', () => {
    registerSecret('plain-secret-123');
    expect(redactSecrets('value plain-secret-123 here')).toBe('value [REDACTED] here');
    const lines: string[] = [];
    safeLogger({ warn: (m) => lines.push(m) }).warn(`leak plain-secret-123 ${TOKEN}`);
    expect(lines).toEqual(['leak [REDACTED] [REDACTED]']);
  });

  test('an AccessTokensError never carries a token in its message', () => {
    expect(new AccessTokensError(`bad ${TOKEN}`, 'internal').message).toBe('bad [REDACTED]');
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

  test('a long text without dots is redacted in linear time', () => {
    const long = 'a-'.repeat(100_000);
    const started = Date.now();
    expect(redactSecrets(long)).toBe(long);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('toAccessTokensError', () => {
  const action = {
    verb: 'create',
    resource: 'serviceaccounts/token',
    namespace: 'shop',
    name: 'deployer',
  };

  test.each([
    [401, 'forbidden'],
    [403, 'forbidden'],
    [404, 'not-found'],
    [409, 'conflict'],
    [422, 'usage'],
    [429, 'transient'],
    [503, 'transient'],
    [418, 'internal'],
  ])('HTTP %i is %s', (code, category) => {
    expect(toAccessTokensError(apiError(code, { message: 'm' }), action)).toMatchObject({
      category,
      status: code,
    });
  });

  test('uses the Status message, not the exception message with its body and headers', () => {
    const err = toAccessTokensError(
      apiError(500, { message: `boom ${TOKEN}` }, { authorization: `Bearer ${TOKEN}` }),
      action,
    );
    expect(err.message).toBe(
      "cannot create serviceaccounts/token 'deployer' in namespace 'shop': HTTP 500: boom [REDACTED]",
    );
  });

  test('network errors are transient', () => {
    const err = toAccessTokensError(
      Object.assign(new Error('request to https://x failed, reason: socket hang up'), {
        code: 'ECONNRESET',
        type: 'system',
      }),
      action,
    );
    expect(err).toMatchObject({
      category: 'transient',
      message: "cannot create serviceaccounts/token 'deployer' in namespace 'shop': ECONNRESET",
    });
  });

  test.each([
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      /cannot verify the API server's certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE/,
    ],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /cannot verify the API server's certificate/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /cannot verify the API server's certificate/],
    ['CERT_HAS_EXPIRED', /cannot verify the API server's certificate: CERT_HAS_EXPIRED/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /cannot verify the API server's certificate/],
    ['ENOTFOUND', /cannot resolve the API server's host name: ENOTFOUND/],
  ])('%s is a usage error, not transient, and is not retried', (code, message) => {
    // node-fetch's FetchError: type 'system', the code copied from the socket error
    const fetchError = Object.assign(new Error(`request to https://x failed, reason: ${code}`), {
      code,
      errno: code,
      type: 'system',
    });
    expect(toAccessTokensError(fetchError, action)).toMatchObject({ category: 'usage', message });
    expect(isRetryable(fetchError)).toBe(false);
    // undici's TypeError('fetch failed') carries the code on its cause
    const undiciError = Object.assign(new TypeError('fetch failed'), { cause: { code } });
    expect(toAccessTokensError(undiciError, action).category).toBe('usage');
  });

  test('EAI_AGAIN (the resolver cannot answer now) stays transient', () => {
    const err = Object.assign(new Error('getaddrinfo EAI_AGAIN x'), {
      code: 'EAI_AGAIN',
      type: 'system',
    });
    expect(toAccessTokensError(err, action).category).toBe('transient');
    expect(isRetryable(err)).toBe(true);
  });

  test('a 403 is explained with the verb, resource, namespace and the Permission that grants it', () => {
    const err = toAccessTokensError(
      apiError(403, {
        message:
          'serviceaccounts "deployer" is forbidden: User "system:serviceaccount:shop:ci" cannot create resource "serviceaccounts/token" in API group "" in the namespace "shop"',
      }),
      action,
    );
    expect(err.message).toBe(
      "forbidden: 'system:serviceaccount:shop:ci' may not create serviceaccounts/token 'deployer' in namespace 'shop'; it would be granted by Permission.verbs(['create'], 'serviceaccounts/token', 'deployer') in a Role bound in namespace 'shop'",
    );
  });
});

describe('explainForbidden', () => {
  test('GIVEN a cluster-wide refusal WHEN explained THEN it says what would grant it: a ClusterRole', () => {
    expect(
      explainForbidden({
        verb: 'list',
        resource: 'clusterrolebindings',
        apiGroup: 'rbac.authorization.k8s.io',
      }),
    ).toMatch(
      /cluster-wide; it would be granted by .* in a ClusterRole bound by a ClusterRoleBinding$/,
    );
  });
});
