import { decodeJwtClaims, subjectOf } from '../src/runtime/jwt.js';
import { formatSeconds, inspectToken } from '../src/runtime/inspect.js';
import { AccessTokensError } from '../src/runtime/errors.js';

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: unknown): string => `${b64({ alg: 'RS256' })}.${b64(claims)}.c2lnbmF0dXJl`;

const BOUND = {
  iss: 'https://kubernetes.default.svc',
  sub: 'system:serviceaccount:shop:deployer',
  aud: ['https://kubernetes.default.svc'],
  iat: 1_700_000_000,
  nbf: 1_700_000_000,
  exp: 1_700_003_600,
  'kubernetes.io': {
    namespace: 'shop',
    serviceaccount: { name: 'deployer', uid: 'sa-uid' },
    secret: { name: 'deployer-token-1', uid: 'secret-uid' },
  },
};

describe('decodeJwtClaims', () => {
  test('decodes the payload without checking the signature', () => {
    expect(decodeJwtClaims(jwt(BOUND))).toEqual(BOUND);
  });

  test('normalises a string audience to an array', () => {
    expect(decodeJwtClaims(jwt({ aud: 'x' })).aud).toEqual(['x']);
  });

  test.each([
    ['abc', /got 1 part/],
    ['a.b', /got 2 part/],
    ['a.b.c.d', /got 4 part/],
    ['a.!!.c', /^the token's payload is not base64url-encoded JSON$/],
    [
      `x.${Buffer.from('not json').toString('base64url')}.y`,
      /payload is not base64url-encoded JSON/,
    ],
    [`x.${b64([1])}.y`, /payload is not a JSON object/],
  ])('rejects %p without quoting it', (token, message) => {
    let err: unknown;
    try {
      decodeJwtClaims(token);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AccessTokensError);
    expect((err as AccessTokensError).category).toBe('usage');
    expect((err as Error).message).toMatch(message);
    if (token.length > 3) expect((err as Error).message).not.toContain(token);
  });
});

describe('decodeJwtClaims says what is wrong with a three-part token', () => {
  const good = jwt(BOUND);
  const [header, payload, signature] = good.split('.');
  const messageOf = (token: string): string => {
    try {
      decodeJwtClaims(token);
    } catch (e) {
      expect((e as AccessTokensError).category).toBe('usage');
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  // No part of the token, even a short one, is in the message.
  const expectNoPartOf = (message: string, token: string): void => {
    for (const part of token.split(/[.\s]/).filter((p) => p.length >= 6 && !/^bearer$/i.test(p))) {
      expect(message).not.toContain(part.slice(0, 6));
    }
  };

  test.each([
    // GIVEN a payload in standard base64 ('+', '/'), as a hand-made token might be
    [
      'standard base64 payload',
      `${header}.${Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:a:b', x: '???>>>' })).toString('base64')}.${signature}`,
      /^the token's payload is not base64url-encoded JSON$/,
    ],
    // GIVEN a payload of base64url characters that do not decode to JSON
    [
      'payload of random base64url',
      `${header}.QUJDREVGR0hJSktMTU5PUA.${signature}`,
      /^the token's payload is not base64url-encoded JSON$/,
    ],
    [
      'Authorization header value',
      `Bearer ${good}`,
      /^the token starts with 'Bearer ': give the token alone$/,
    ],
    ['lower-case bearer', `bearer ${good}`, /starts with 'Bearer '/],
    [
      "base64 of the token (a Secret's data)",
      Buffer.from(good).toString('base64'),
      /base64-encoded again .*decode it first/,
    ],
    ['two tokens on two lines', `${good}\n${good}`, /contains whitespace: give one token alone/],
    [
      'padding in the header',
      `${header}=.${payload}.${signature}`,
      /its header has characters other than base64url's/,
    ],
    ['an empty payload', `${header}..${signature}`, /^the token's payload is empty$/],
  ])('%s', (_what, token, message) => {
    // WHEN it is decoded THEN the message names the problem and quotes none of it
    const m = messageOf(token);
    expect(m).toMatch(message);
    expect(m).not.toMatch(/got 3 part/);
    expectNoPartOf(m, token);
  });

  test('a valid token still decodes, surrounding whitespace ignored', () => {
    expect(decodeJwtClaims(`  ${good}\n`)).toEqual(BOUND);
  });
});

describe('decodeJwtClaims reports a time claim that is not a NumericDate', () => {
  test.each([
    [
      'exp',
      '2030',
      /'exp' claim must be a number of seconds since the Unix epoch.*got the string "2030"$/,
    ],
    ['iat', true, /'iat' claim must be a number of seconds .*got the boolean true$/],
    ['nbf', null, /'nbf' claim must be a number of seconds .*got null$/],
    ['exp', [1], /'exp' claim .*got the array \[1\]$/],
    [
      'exp',
      1e20,
      /'exp' claim must be a number of seconds since the Unix epoch \(a JWT NumericDate\) from -8640000000000 to 8640000000000, got 100000000000000000000$/,
    ],
    ['iat', -1e13, /'iat' claim .*got -10000000000000$/],
  ])(
    'GIVEN %s = %p THEN a usage error names the claim, the value and what is allowed',
    (claim, value, message) => {
      const decode = () => decodeJwtClaims(jwt({ ...BOUND, [claim]: value }));
      expect(decode).toThrow(AccessTokensError);
      expect(decode).toThrow(message);
      try {
        decode();
      } catch (err) {
        expect((err as AccessTokensError).category).toBe('usage');
      }
    },
  );

  test('GIVEN the extreme times a date holds THEN they decode and inspect shows them', () => {
    const info = inspectToken(jwt({ ...BOUND, iat: -8_640_000_000_000, exp: 8_640_000_000_000 }));
    expect(info.expiresAt).toBe('+275760-09-13T00:00:00.000Z');
    expect(info.issuedAt).toBe('-271821-04-20T00:00:00.000Z');
  });
});

describe('subjectOf', () => {
  test('bound token: namespace, ServiceAccount, UIDs and bound Secret', () => {
    expect(subjectOf(BOUND)).toEqual({
      namespace: 'shop',
      serviceAccount: 'deployer',
      serviceAccountUid: 'sa-uid',
      boundObject: { kind: 'Secret', name: 'deployer-token-1', uid: 'secret-uid' },
      legacy: false,
    });
  });

  test('pod-bound token', () => {
    const claims = {
      ...BOUND,
      'kubernetes.io': {
        namespace: 'shop',
        serviceaccount: { name: 'a' },
        pod: { name: 'p', uid: 'u' },
      },
    };
    expect(subjectOf(claims).boundObject).toEqual({ kind: 'Pod', name: 'p', uid: 'u' });
  });

  test('legacy Secret token', () => {
    expect(
      subjectOf({
        'kubernetes.io/serviceaccount/namespace': 'shop',
        'kubernetes.io/serviceaccount/secret.name': 'old-token-xyz',
        'kubernetes.io/serviceaccount/service-account.name': 'old',
        'kubernetes.io/serviceaccount/service-account.uid': 'u',
      }),
    ).toEqual({
      namespace: 'shop',
      serviceAccount: 'old',
      serviceAccountUid: 'u',
      boundObject: { kind: 'Secret', name: 'old-token-xyz' },
      legacy: true,
    });
  });

  test('falls back to sub', () => {
    expect(subjectOf({ sub: 'system:serviceaccount:a:b' })).toEqual({
      namespace: 'a',
      serviceAccount: 'b',
      legacy: false,
    });
  });
});

describe('inspectToken', () => {
  test('expiry and time left come from exp, at a given time', () => {
    const info = inspectToken(jwt(BOUND), new Date((BOUND.iat + 600) * 1000));
    expect(info).toMatchObject({
      expiresAt: '2023-11-14T23:13:20.000Z',
      secondsLeft: 3000,
      lifetimeSeconds: 3600,
      expired: false,
      audiences: ['https://kubernetes.default.svc'],
    });
  });

  test('an expired token', () => {
    expect(inspectToken(jwt(BOUND), new Date((BOUND.exp + 5) * 1000))).toMatchObject({
      expired: true,
      secondsLeft: -5,
    });
  });

  test.each([
    ['a TokenRequest token', BOUND, 'service-account'],
    [
      'a legacy Secret token',
      {
        sub: 'system:serviceaccount:shop:deployer',
        'kubernetes.io/serviceaccount/service-account.name': 'deployer',
      },
      'legacy-service-account',
    ],
    [
      'an OIDC ID token',
      {
        iss: 'https://accounts.google.com',
        sub: '1234567890',
        aud: 'my-client',
        exp: 1_900_000_000,
      },
      'not-service-account',
    ],
    [
      'a JWT whose subject names a ServiceAccount but which has no Kubernetes claims',
      { sub: 'system:serviceaccount:a:b', exp: 1_900_000_000 },
      'not-service-account',
    ],
  ])('GIVEN %s THEN its kind says what it is', (_, claims, kind) => {
    expect(inspectToken(jwt(claims)).kind).toBe(kind);
  });

  test('formatSeconds', () => {
    expect(formatSeconds(0)).toBe('0s');
    expect(formatSeconds(3608)).toBe('1h8s');
    expect(formatSeconds(90061)).toBe('1d1h1m1s');
    expect(formatSeconds(-60)).toBe('-1m');
  });
});
