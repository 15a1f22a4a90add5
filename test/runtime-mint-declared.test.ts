/**
 * `mintDeclaredTokens` without a cluster: which requests it sends for Secret stores (one LIST
 * per namespace, then a TokenRequest and one write per token), and that the checks on that
 * LIST refuse a Secret that is not ours before anything is minted. A recording stand-in for
 * the client answers like the API server would; the real server is in
 * test/e2e/runtime-mint-from.test.ts and store-safety.test.ts.
 */
import { AccessTokensError } from '../src/runtime/errors.js';
import { mintDeclaredTokens } from '../src/runtime/mint-declared.js';
import { recordingClient, secretStoreToken, store } from './recording-client.js';

const declared = (namespace: string, serviceAccount: string, secret: string) =>
  secretStoreToken(namespace, serviceAccount, secret);

describe('mintDeclaredTokens with Secret stores', () => {
  test('one LIST per namespace, then a TokenRequest and one write per token; only a store the LIST lacks is read', async () => {
    // GIVEN two namespaces: in shop an empty store as synthesized, in web none yet
    const { client, requests } = recordingClient({
      shop: [store('a-token', '7'), store('b-token', '8')],
      web: [],
    });
    // WHEN
    const results = await mintDeclaredTokens(
      [
        declared('shop', 'a', 'a-token'),
        declared('shop', 'b', 'b-token'),
        declared('web', 'c', 'c-token'),
      ],
      { client, concurrency: 1 },
    );
    // THEN
    expect(results.map((r) => [r.ok, r.destination])).toEqual([
      [true, 'secret/a-token -n shop'],
      [true, 'secret/b-token -n shop'],
      [true, 'secret/c-token -n web'],
    ]);
    expect(requests).toEqual([
      'list secrets -n shop -l access-tokens.cdk8s.io/managed=true',
      'create token shop/a',
      'replace secret shop/a-token at 7',
      'create token shop/b',
      'replace secret shop/b-token at 8',
      'list secrets -n web -l access-tokens.cdk8s.io/managed=true',
      // not listed: absent, or someone else's Secret, which a LIST by our label does not show
      'get secret web/c-token',
      'create token web/c',
      'create secret web/c-token',
    ]);
  });

  test("someone else's Secret of the store's name, without our label: refused before minting", async () => {
    // GIVEN db-credentials, an application's Secret, named as the store of 'a'
    const { client, requests } = recordingClient({
      shop: [
        {
          type: 'Opaque',
          metadata: { name: 'db-credentials', resourceVersion: '4' },
          data: { password: 'aHVudGVyMg==' },
        },
      ],
    });
    // WHEN
    const [result] = await mintDeclaredTokens([declared('shop', 'a', 'db-credentials')], {
      client,
    });
    // THEN refused, naming it, and nothing was minted
    expect(result).toMatchObject({
      ok: false,
      error: expect.stringContaining(
        "secret 'shop/db-credentials' exists and is not managed by access-tokens",
      ),
    });
    expect(requests).toEqual([
      'list secrets -n shop -l access-tokens.cdk8s.io/managed=true',
      'get secret shop/db-credentials',
    ]);
  });

  test('a listed Secret that is not ours to write: refused before minting, the others go on', async () => {
    // GIVEN other's store, and db-credentials with our label merged into it by kubectl apply
    const { client, requests } = recordingClient({
      shop: [
        store('other-token', '3', {
          metadata: {
            name: 'other-token',
            resourceVersion: '3',
            labels: { 'access-tokens.cdk8s.io/managed': 'true' },
            annotations: { 'access-tokens.cdk8s.io/service-account': 'other' },
          },
        }),
        store('db-credentials', '4', { type: 'Opaque', data: { password: 'aHVudGVyMg==' } }),
        store('a-token', '5'),
      ],
    });
    // WHEN
    const results = await mintDeclaredTokens(
      [
        declared('shop', 'a', 'other-token'),
        declared('shop', 'b', 'db-credentials'),
        declared('shop', 'a', 'a-token'),
      ],
      { client, concurrency: 1 },
    );
    // THEN
    expect(results[0]).toMatchObject({
      ok: false,
      category: 'usage',
      error:
        "secret 'shop/other-token' holds the token of ServiceAccount 'other': refusing to overwrite it with one of 'a'",
    });
    expect(results[1]).toMatchObject({
      ok: false,
      category: 'usage',
      error: expect.stringMatching(
        /^secret 'shop\/db-credentials' holds keys that access-tokens did not write \(password\)/,
      ),
    });
    expect(results[2].ok).toBe(true);
    expect(requests.filter((r) => r.startsWith('create token'))).toEqual(['create token shop/a']);
    expect(requests.filter((r) => / (other-token|db-credentials)/.test(r))).toEqual([]);
  });

  test('a Secret changed since the LIST: a conflict, reported and not overwritten', async () => {
    // GIVEN the store as listed (resourceVersion 7), changed on the server before the write
    const secrets = { shop: [store('a-token', '7')] };
    const { client, requests } = recordingClient(secrets);
    const core = (client.api as unknown as () => Record<string, (r: never) => Promise<unknown>>)();
    const list = core.listNamespacedSecret;
    core.listNamespacedSecret = async (req: never) => {
      const answer = await list(req);
      secrets.shop = [store('a-token', '9')]; // someone wrote after the LIST
      return answer;
    };
    // WHEN
    const [result] = await mintDeclaredTokens([declared('shop', 'a', 'a-token')], { client });
    // THEN one write, at the version listed, and a conflict
    expect(result).toMatchObject({ ok: false, category: 'conflict' });
    expect(requests.filter((r) => r.startsWith('replace'))).toEqual([
      'replace secret shop/a-token at 7',
    ]);
  });

  test('a Secret of the same name that is not labelled (not in the LIST): the create fails, nothing replaced', async () => {
    // GIVEN someone else's Secret named like the store, without our label
    const { client, requests } = recordingClient({
      shop: [{ type: 'Opaque', metadata: { name: 'app-credentials', resourceVersion: '2' } }],
    });
    // WHEN
    const [result] = await mintDeclaredTokens([declared('shop', 'a', 'app-credentials')], {
      client,
    });
    // THEN refused with the reason read after the 409
    expect(result).toMatchObject({
      ok: false,
      category: 'usage',
      error: expect.stringContaining('exists and is not managed by access-tokens'),
    });
    expect(requests.some((r) => r.startsWith('replace'))).toBe(false);
  });

  test('when the Secrets cannot be listed (403), each store is read before its write', async () => {
    const { client, requests } = recordingClient({ shop: [store('a-token', '7')] });
    const core = (client.api as unknown as () => Record<string, unknown>)();
    core.listNamespacedSecret = async () => {
      requests.push('list (forbidden)');
      throw Object.assign(new Error('HTTP 403'), { code: 403 });
    };
    const [result] = await mintDeclaredTokens([declared('shop', 'a', 'a-token')], { client });
    expect(result.ok).toBe(true);
    expect(requests).toEqual([
      'list (forbidden)',
      'get secret shop/a-token',
      'create token shop/a',
      'replace secret shop/a-token at 7',
    ]);
  });
});

test('the stand-in answers 409 as the API server does: an AccessTokensError of category conflict', async () => {
  const { client } = recordingClient({ shop: [store('x', '1')] });
  const core = client.api as unknown as () => {
    createNamespacedSecret: (r: unknown) => Promise<unknown>;
  };
  const err: unknown = await client
    .call({ verb: 'create', resource: 'secrets', namespace: 'shop' }, () =>
      core().createNamespacedSecret({ namespace: 'shop', body: store('x', '1') }),
    )
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AccessTokensError);
  expect((err as AccessTokensError).category).toBe('conflict');
});
