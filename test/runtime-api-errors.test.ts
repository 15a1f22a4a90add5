import { toAccessTokensError } from '../src/runtime/api-errors.js';
import { isRetryable } from '../src/runtime/retry.js';

const apiError = (code: number, body: unknown, headers: Record<string, string> = {}) =>
  Object.assign(
    new Error(
      `HTTP-Code: ${code}\nBody: ${JSON.stringify(body)}\nHeaders: ${JSON.stringify(headers)}`,
    ),
    { code, body, headers },
  );

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

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
      "forbidden: 'system:serviceaccount:shop:ci' may not create serviceaccounts/token 'deployer' in namespace 'shop'; it is granted by Permission.verbs(['create'], 'serviceaccounts/token', 'deployer') in a Role bound in 'shop'",
    );
  });
});
