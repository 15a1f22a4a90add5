/**
 * `revoke` without a cluster: what it refuses before any request, and the delete it sends
 * (through a recording stand-in for the client).
 */
import type { ClusterClient } from '../src/runtime/cluster.js';
import { redactSecrets, registerSecret } from '../src/runtime/redact.js';
import { revoke } from '../src/runtime/revoke.js';

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

function recordingClient(): { client: ClusterClient; deletes: unknown[] } {
  const deletes: unknown[] = [];
  const core = {
    deleteNamespacedSecret: async (req: unknown) => void deletes.push(req),
    deleteNamespacedPod: async (req: unknown) => void deletes.push(req),
  };
  const client = {
    namespace: 'shop',
    api: () => core,
    call: (_action: unknown, fn: (o: unknown) => Promise<unknown>) => fn({}),
  } as unknown as ClusterClient;
  return { client, deletes };
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
