/**
 * `revoke` without a cluster: what it refuses before any request, and the delete it sends
 * (through a recording stand-in for the client).
 */
import type * as k8s from '@kubernetes/client-node';
import type { ClusterClient } from '../src/runtime/cluster.js';
import { AccessTokensError } from '../src/runtime/errors.js';
import { redactSecrets, registerSecret } from '../src/runtime/redact.js';
import { reviewToken } from '../src/runtime/review.js';
import { revoke } from '../src/runtime/revoke.js';
import { standInClient } from './recording-client.js';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (k8s: object): string =>
  [
    b64({ alg: 'RS256' }),
    b64({
      sub: 'system:serviceaccount:shop:deployer',
      exp: 4102444800,
      'kubernetes.io': {
        namespace: 'shop',
        serviceaccount: { name: 'deployer', uid: 'sa-1' },
        ...k8s,
      },
    }),
    'c2lnbmF0dXJlLXNpZ25hdHVyZQ',
  ].join('.');

/** The API server's TokenReview verdict on a genuine token of shop/deployer. */
const ACCEPTED: k8s.V1TokenReviewStatus = {
  authenticated: true,
  user: { username: 'system:serviceaccount:shop:deployer' },
};

function recordingClient(
  stores: k8s.V1Secret[] = [],
  conflictOn = '',
  verdict: k8s.V1TokenReviewStatus = ACCEPTED,
): {
  client: ClusterClient;
  deletes: unknown[];
  replaced: k8s.V1Secret[];
  reviews: k8s.V1TokenReviewSpec[];
} {
  const deletes: unknown[] = [];
  const replaced: k8s.V1Secret[] = [];
  const reviews: k8s.V1TokenReviewSpec[] = [];
  const core = {
    createTokenReview: async (req: { body: k8s.V1TokenReview }) => {
      reviews.push(req.body.spec);
      return { status: verdict };
    },
    deleteNamespacedSecret: async (req: unknown) => void deletes.push(req),
    deleteNamespacedPod: async (req: unknown) => void deletes.push(req),
    listNamespacedSecret: async () => ({ items: stores }),
    replaceNamespacedSecret: async (req: { name: string; body: k8s.V1Secret }) => {
      if (req.name === conflictOn) throw new AccessTokensError('conflict', 'conflict', 409);
      replaced.push(req.body);
    },
  };
  const client = standInClient(core, 'shop');
  return { client, deletes, replaced, reviews };
}

function store(name: string, serviceAccount: string, token: string): k8s.V1Secret {
  return {
    metadata: {
      name,
      resourceVersion: '7',
      labels: { 'access-tokens.cdk8s.io/managed': 'true' },
      annotations: { 'access-tokens.cdk8s.io/service-account': serviceAccount },
    },
    data: { token: Buffer.from(token).toString('base64'), extra: 'eA==' },
  };
}

describe('revoke', () => {
  test('refuses a token whose bound object has no uid, before any request', async () => {
    const { client, deletes } = recordingClient();
    const token = jwt({ secret: { name: 'deployer-token-x' } });
    await expect(revoke(token, { client })).rejects.toMatchObject({
      category: 'usage',
      message: expect.stringMatching(
        /names its bound Secret 'shop\/deployer-token-x' without a uid.*refusing to revoke it/,
      ),
    });
    expect(deletes).toEqual([]);
  });

  test('always deletes with the uid precondition', async () => {
    const { client, deletes } = recordingClient();
    const token = jwt({ secret: { name: 'deployer-token-x', uid: 'uid-42' } });
    const result = await revoke(token, { client });
    expect(deletes).toEqual([
      { name: 'deployer-token-x', namespace: 'shop', body: { preconditions: { uid: 'uid-42' } } },
    ]);
    expect(result.deleted).toEqual({
      kind: 'Secret',
      namespace: 'shop',
      name: 'deployer-token-x',
      uid: 'uid-42',
    });
  });
});

describe('revoke deletes only what a token the API server accepts is bound to', () => {
  test('a token the server does not accept (forged, expired, revoked) deletes nothing', async () => {
    // GIVEN claims naming someone's Secret, with its real uid, but a signature the server rejects
    const { client, deletes } = recordingClient([], '', {
      authenticated: false,
      error: 'invalid bearer token, square/go-jose: error in cryptographic primitive',
    });
    const token = jwt({ secret: { name: 'db-password', uid: 'uid-of-db-password' } });
    // WHEN / THEN refused as not found (exit 3), saying why, and nothing is deleted
    await expect(revoke(token, { client })).rejects.toMatchObject({
      category: 'not-found',
      message: expect.stringMatching(
        /^the API server does not accept this token \(invalid bearer token, .*\): it has expired, was revoked already, or was not issued by this cluster.*nothing was deleted \(its claims name Secret 'shop\/db-password'/,
      ),
    });
    expect(deletes).toEqual([]);
  });

  test('a token the server accepts as another ServiceAccount than its claims say deletes nothing', async () => {
    const { client, deletes } = recordingClient([], '', {
      authenticated: true,
      user: { username: 'system:serviceaccount:shop:other' },
    });
    const token = jwt({ secret: { name: 'deployer-token-x', uid: 'uid-42' } });
    await expect(revoke(token, { client })).rejects.toMatchObject({
      category: 'usage',
      message: expect.stringContaining(
        "accepts this token as 'system:serviceaccount:shop:other', but its claims say 'system:serviceaccount:shop:deployer'",
      ),
    });
    expect(deletes).toEqual([]);
  });

  test('the review asks about the token itself, for its own audiences, also in --wait', async () => {
    // GIVEN a token minted for another audience than the API server's
    const token = jwt({ secret: { name: 'deployer-token-x', uid: 'uid-42' } });
    const [head, , sig] = token.split('.');
    const forVault = [
      head,
      b64({
        ...JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()),
        aud: 'vault',
      }),
      sig,
    ].join('.');
    let accepted = 1;
    const { client, reviews } = recordingClient();
    (client as unknown as { api: () => object }).api = () => ({
      createTokenReview: async (req: { body: k8s.V1TokenReview }) => {
        reviews.push(req.body.spec);
        return { status: accepted-- > 0 ? ACCEPTED : { authenticated: false } };
      },
      deleteNamespacedSecret: async () => undefined,
      listNamespacedSecret: async () => ({ items: [] }),
    });
    // WHEN
    const result = await revoke(forVault, { client, wait: true });
    // THEN both reviews name the token's audience; the second confirms the revocation
    expect(reviews).toEqual([
      { token: forVault, audiences: ['vault'] },
      { token: forVault, audiences: ['vault'] },
    ]);
    expect(result.confirmed).toBe(true);
  });
});

describe('reviewToken', () => {
  test("the server's reason is masked: an authenticator may quote the token in it", async () => {
    const token = jwt({ secret: { name: 'x', uid: 'y' } });
    const { client } = recordingClient([], '', {
      authenticated: false,
      error: `token ${token} is invalid`,
    });
    const review = await reviewToken(token, { client });
    expect(review).toMatchObject({ authenticated: false, error: 'token [REDACTED] is invalid' });
  });
});

describe('revoke and the token stores', () => {
  test('removes the revoked token from the stores that hold it, and only from those', async () => {
    // GIVEN stores holding the token, another token, and the token for another ServiceAccount
    const token = jwt({ secret: { name: 'deployer-token-x', uid: 'uid-42' } });
    const { client, replaced } = recordingClient([
      store('deployer-token', 'deployer', token),
      store('deployer-next', 'deployer', 'a-newer-token-value'),
      store('copy-for-other', 'someone-else', token),
    ]);
    // WHEN
    const result = await revoke(token, { client });
    // THEN the one store is rewritten without the token, with the time, at the version read
    expect(result.clearedStores).toEqual(['deployer-token']);
    expect(result.warnings).toEqual([]);
    expect(replaced).toHaveLength(1);
    expect(replaced[0].data).toEqual({ extra: 'eA==' });
    expect(replaced[0].metadata?.resourceVersion).toBe('7');
    expect(replaced[0].metadata?.annotations?.['access-tokens.cdk8s.io/revoked-at']).toMatch(
      /^\d{4}-\d\d-\d\dT/,
    );
  });

  test('a store refilled meanwhile (409) is left alone, with a warning', async () => {
    // GIVEN
    const token = jwt({ secret: { name: 'deployer-token-x', uid: 'uid-42' } });
    const { client, replaced } = recordingClient(
      [store('deployer-token', 'deployer', token)],
      'deployer-token',
    );
    // WHEN
    const result = await revoke(token, { client });
    // THEN the revocation stands and the warning says what happened, never quoting the token
    expect(result.deleted.name).toBe('deployer-token-x');
    expect(result.clearedStores).toEqual([]);
    expect(replaced).toEqual([]);
    expect(result.warnings).toEqual([
      "secret 'shop/deployer-token' changed while the revoked token was being removed (a new token was stored): left as it is",
    ]);
  });
});

describe('registerSecret', () => {
  test('also redacts the base64 forms of a token (as in a Secret’s data)', () => {
    const token = 'opaque-token-value-0123456789';
    registerSecret(token);
    const std = Buffer.from(token).toString('base64');
    const url = Buffer.from(token).toString('base64url');
    expect(redactSecrets(`data: {"x":"${std}"} ${url}`)).toBe(
      'data: {"x":"[REDACTED]"} [REDACTED]',
    );
  });
});
