/**
 * Which existing Secrets may take a token: only a token store of ours, for that ServiceAccount,
 * holding nothing but a token. Expectations written by hand from the rules in the README
 * ("Where tokens are kept").
 */
import type * as k8s from '@kubernetes/client-node';
import { tokenStoreProblem } from '../src/runtime/managed-secret.js';
import { jwtFor } from './recording-client.js';

const ours = (over: Partial<k8s.V1Secret> = {}, labels: Record<string, string> = {}) =>
  ({
    type: 'access-tokens.cdk8s.io/token',
    metadata: {
      name: 'deployer-token',
      labels: { 'access-tokens.cdk8s.io/managed': 'true', ...labels },
      annotations: { 'access-tokens.cdk8s.io/service-account': 'deployer' },
    },
    ...over,
  }) as k8s.V1Secret;
const problem = (secret: k8s.V1Secret, serviceAccount = 'deployer') =>
  tokenStoreProblem(secret, 'shop', 'deployer-token', serviceAccount);

describe('tokenStoreProblem', () => {
  test('our store, empty as synthesized or holding this ServiceAccount’s token: may be written', () => {
    expect(problem(ours())).toBeUndefined();
    expect(problem(ours({ data: { token: 'dG9rZW4=' } }))).toBeUndefined();
    // as synthesized: no ServiceAccount annotation yet
    const synthesized = ours({
      metadata: { labels: { 'access-tokens.cdk8s.io/managed': 'true' } },
    });
    expect(problem(synthesized)).toBeUndefined();
  });

  test('an Opaque store written by version 0.1, holding only a token: may be written', () => {
    expect(problem(ours({ type: 'Opaque', data: { token: 'dG9rZW4=' } }))).toBeUndefined();
  });

  test("someone else's Secret that `kubectl apply` merged our label into: refused, naming its keys", () => {
    // GIVEN db-credentials (Opaque, a password) after `kubectl apply` of a store of that name
    const merged = {
      type: 'Opaque',
      metadata: { name: 'db-credentials', labels: { 'access-tokens.cdk8s.io/managed': 'true' } },
      data: { password: 'aHVudGVyMg==', username: 'YWRtaW4=' },
    };
    // THEN
    expect(tokenStoreProblem(merged, 'shop', 'db-credentials', 'deployer')).toBe(
      "secret 'shop/db-credentials' holds keys that access-tokens did not write (password, username): refusing to put a token beside them; choose another name for the token's Secret",
    );
  });

  test('a store of our type holding other keys beside the token: refused', () => {
    expect(problem(ours({ data: { token: 'dA==', 'ca.crt': 'Yw==' } }))).toMatch(
      /holds keys that access-tokens did not write \(ca\.crt\)/,
    );
  });

  test('a Secret without the managed label: refused, saying how to hand it over', () => {
    expect(problem(ours({ metadata: { name: 'deployer-token' } }))).toBe(
      "secret 'shop/deployer-token' exists and is not managed by access-tokens (no label access-tokens.cdk8s.io/managed=true): refusing to overwrite it; choose another name, or add the label to hand it over",
    );
  });

  test('a Secret of another type: refused, naming both types', () => {
    expect(problem(ours({ type: 'kubernetes.io/tls' }))).toBe(
      "secret 'shop/deployer-token' has type 'kubernetes.io/tls', expected 'access-tokens.cdk8s.io/token': refusing to overwrite it",
    );
    expect(problem(ours({ type: 'kubernetes.io/service-account-token' }))).toMatch(
      /has type 'kubernetes\.io\/service-account-token'/,
    );
  });

  test("another ServiceAccount's token: refused, naming both", () => {
    expect(problem(ours({ data: { token: 'dA==' } }), 'intruder')).toBe(
      "secret 'shop/deployer-token' holds the token of ServiceAccount 'deployer': refusing to overwrite it with one of 'intruder'",
    );
  });

  test("another ServiceAccount's token by its content, whatever the annotation says: refused", () => {
    const holding = (namespace: string, name: string) => ({
      token: Buffer.from(jwtFor(namespace, name)).toString('base64'),
    });
    // GIVEN a managed store without our annotation, into which someone copied b's token
    const copied = ours({
      metadata: { labels: { 'access-tokens.cdk8s.io/managed': 'true' } },
      data: holding('shop', 'b'),
    });
    // THEN a's token must not replace it
    expect(problem(copied, 'a')).toBe(
      "secret 'shop/deployer-token' holds a token of ServiceAccount 'b': refusing to overwrite it with one of 'a'; empty or delete the Secret first if that token is no longer needed",
    );
    // and an annotation saying otherwise does not make it ours; nor does the name in another namespace
    expect(problem(ours({ data: holding('shop', 'intruder') }))).toMatch(
      /holds a token of ServiceAccount 'intruder' \(though annotated as 'deployer'\)/,
    );
    expect(problem(ours({ data: holding('other-ns', 'deployer') }))).toMatch(
      /holds a token of ServiceAccount 'other-ns\/deployer'/,
    );
    // while this ServiceAccount's own token, or anything that is not a token, may be replaced
    expect(problem(ours({ data: holding('shop', 'deployer') }))).toBeUndefined();
    expect(problem(copied, 'b')).toBeUndefined();
    expect(
      problem(ours({ data: { token: Buffer.from('not a token').toString('base64') } })),
    ).toBeUndefined();
  });

  test('a binding Secret: refused (it binds a token, it holds none)', () => {
    expect(problem(ours({}, { 'access-tokens.cdk8s.io/token-binding': 'true' }))).toMatch(
      /is the binding Secret of a token \(label access-tokens\.cdk8s\.io\/token-binding\)/,
    );
  });
});
