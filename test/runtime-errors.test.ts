import { AccessTokensError } from '../src/runtime/errors.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('AccessTokensError', () => {
  test('an AccessTokensError never carries a token in its message', () => {
    expect(new AccessTokensError(`bad ${TOKEN}`, 'internal').message).toBe('bad [REDACTED]');
  });

  test('carries its category, HTTP status and attempts', () => {
    // GIVEN an error made with each field, THEN they are kept as given
    const e = new AccessTokensError('cannot get pods: conflict', 'conflict', 409, 3);
    expect(e).toMatchObject({ category: 'conflict', status: 409, attempts: 3 });
    expect(e.name).toBe('AccessTokensError');
    expect(e).toBeInstanceOf(Error);
  });
});
