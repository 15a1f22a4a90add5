/**
 * `rotateDeclaredTokens` without a cluster: the requests it sends. Each namespace's managed
 * Secrets are listed once; a token that is not due then costs no request of its own, a due one
 * a TokenRequest and one write at the listed resourceVersion; where the LIST is forbidden, each
 * Secret is read on its own. The real server (races, faults) is in test/e2e/runtime-rotate.
 */
import { rotateDeclaredTokens } from '../src/runtime/rotate-declared.js';
import { jwtFor, recordingClient, secretStoreToken, store } from './recording-client.js';

const rotation = (namespace: string, serviceAccount: string, secret: string) =>
  secretStoreToken(namespace, serviceAccount, secret, { rotation: {} });

const now = Math.floor(Date.now() / 1000);
/** A store holding a token of `sa` that has used `percent` of its hour. */
const holding = (namespace: string, sa: string, secret: string, rv: string, percent: number) =>
  store(secret, rv, {
    data: {
      token: Buffer.from(
        jwtFor(namespace, sa, now - 36 * percent, now - 36 * percent + 3600),
      ).toString('base64'),
    },
  });

const declarations = [
  rotation('shop', 'a', 'a-token'),
  rotation('shop', 'b', 'b-token'),
  rotation('shop', 'c', 'c-token'),
  rotation('web', 'd', 'd-token'),
];
const secrets = () => ({
  shop: [
    holding('shop', 'a', 'a-token', '1', 10), // not due
    holding('shop', 'b', 'b-token', '2', 85), // due
    store('c-token', '3'), // empty: due
  ],
  web: [holding('web', 'd', 'd-token', '4', 50)], // not due
});

describe('rotateDeclaredTokens', () => {
  test('GIVEN four rotations in two namespaces, two due WHEN rotated THEN one LIST per namespace, a mint and a PUT per due token, no GET', async () => {
    const { client, requests } = recordingClient(secrets());
    // WHEN
    const results = await rotateDeclaredTokens(declarations, { client, concurrency: 1 });
    // THEN
    expect(results.map((r) => [r.serviceAccount, r.ok, r.ok && r.rotated])).toEqual([
      ['a', true, false],
      ['b', true, true],
      ['c', true, true],
      ['d', true, false],
    ]);
    expect(requests).toEqual([
      'list secrets -n shop -l access-tokens.cdk8s.io/managed=true',
      'create token shop/b',
      'replace secret shop/b-token at 2',
      'create token shop/c',
      'replace secret shop/c-token at 3',
      'list secrets -n web -l access-tokens.cdk8s.io/managed=true',
    ]);
  });

  test('GIVEN a LIST that is forbidden WHEN rotated THEN each Secret is read on its own, with the same outcome', async () => {
    const { client, requests } = recordingClient(secrets(), { listForbidden: true });
    const results = await rotateDeclaredTokens(declarations, { client, concurrency: 1 });
    expect(results.map((r) => r.ok && r.rotated)).toEqual([false, true, true, false]);
    expect(requests.filter((r) => r.startsWith('get '))).toEqual([
      'get secret shop/a-token',
      'get secret shop/b-token',
      'get secret shop/c-token',
      'get secret web/d-token',
    ]);
    // still one write per due token, at the resourceVersion read
    expect(requests.filter((r) => r.startsWith('replace '))).toEqual([
      'replace secret shop/b-token at 2',
      'replace secret shop/c-token at 3',
    ]);
  });

  test('GIVEN a store that changed since the LIST WHEN its write is refused (409) THEN it re-reads, decides again and keeps the newer token', async () => {
    const held = secrets();
    const { client, requests } = recordingClient(held);
    // someone rotates b after our LIST: the server now has a fresh token at resourceVersion 9
    const original = client.call.bind(client);
    let raced = false;
    (client as { call: typeof client.call }).call = ((action, fn) => {
      if (!raced && action.verb === 'update') {
        raced = true;
        held.shop[1] = holding('shop', 'b', 'b-token', '9', 1);
      }
      return original(action, fn);
    }) as typeof client.call;
    const results = await rotateDeclaredTokens([declarations[1]!], { client, concurrency: 1 });
    expect(results[0]).toMatchObject({ ok: true, rotated: false, conflicts: 1 });
    expect(requests).toEqual([
      'list secrets -n shop -l access-tokens.cdk8s.io/managed=true',
      'create token shop/b',
      'replace secret shop/b-token at 2',
      // the store's read that says whether the Secret became someone else's, then the re-read
      // that decides again (a race is rare; the LIST saves a read per token every run)
      'get secret shop/b-token',
      'get secret shop/b-token',
    ]);
  });

  test('GIVEN a store that is not in the LIST WHEN rotated THEN a GET says it does not exist', async () => {
    const { client, requests } = recordingClient({ shop: [] });
    const [result] = await rotateDeclaredTokens([declarations[0]!], { client });
    expect(result).toMatchObject({
      ok: false,
      category: 'not-found',
      error: expect.stringMatching(/secret 'shop\/a-token' does not exist/),
    });
    expect(requests).toEqual([
      'list secrets -n shop -l access-tokens.cdk8s.io/managed=true',
      'get secret shop/a-token',
    ]);
  });
});
