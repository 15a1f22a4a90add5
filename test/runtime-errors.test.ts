import {
  AccessTokensError,
  explainForbidden,
  permissionFor,
  redactSecrets,
  registerSecret,
  safeLogger,
  toAccessTokensError,
} from '../src/runtime/errors.js';

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

  test('a 403 is explained with the verb, resource, namespace and the Permission that grants it', () => {
    const err = toAccessTokensError(
      apiError(403, {
        message:
          'serviceaccounts "deployer" is forbidden: User "system:serviceaccount:shop:ci" cannot create resource "serviceaccounts/token" in API group "" in the namespace "shop"',
      }),
      action,
    );
    expect(err.message).toBe(
      "forbidden: 'system:serviceaccount:shop:ci' may not create serviceaccounts/token 'deployer' in namespace 'shop'; it is granted by Permission.verbs(['create'], 'serviceaccounts/token', 'deployer') in a Role bound in 'shop'",
    );
  });
});

describe('permissionFor', () => {
  test('names a resource in kubectl notation and restricts by name where RBAC can', () => {
    expect(
      permissionFor({ verb: 'patch', resource: 'deployments', apiGroup: 'apps', name: 'web' }),
    ).toBe("Permission.verbs(['patch'], 'deployments.apps', 'web')");
    expect(permissionFor({ verb: 'create', resource: 'secrets', name: 'x' })).toBe(
      "Permission.verbs(['create'], 'secrets')",
    );
    expect(permissionFor({ verb: 'get', resource: 'deployments/scale', apiGroup: 'apps' })).toBe(
      "Permission.verbs(['get'], 'deployments.apps/scale')",
    );
  });

  test('cluster-wide refusals point at a ClusterRole', () => {
    expect(
      explainForbidden({
        verb: 'list',
        resource: 'clusterrolebindings',
        apiGroup: 'rbac.authorization.k8s.io',
      }),
    ).toMatch(/cluster-wide; it is granted by .* in a ClusterRole$/);
  });
});
