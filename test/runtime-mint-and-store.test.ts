/**
 * `mintAndStore` without a cluster: destinations in order, the new binding Secret deleted when
 * the token could be kept nowhere (and kept when it was kept somewhere), the clean-up of expired
 * binding Secrets only once the token is kept. A recording stand-in answers like the API server;
 * the real server is in test/e2e/store-safety.test.ts and runtime-binding-cleanup.test.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { mintAndStore } from '../src/runtime/mint-and-store.js';
import { tempDir } from './temp-dir.js';
import { standInClient } from './recording-client.js';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = (bound?: { name: string; uid: string }): string =>
  [
    b64({ alg: 'RS256' }),
    b64({
      aud: ['https://kubernetes.default.svc'],
      exp: 4102444800,
      iat: 4102441200,
      sub: 'system:serviceaccount:shop:deployer',
      'kubernetes.io': {
        namespace: 'shop',
        serviceaccount: { name: 'deployer', uid: 'sa-uid' },
        ...(bound ? { secret: bound } : {}),
      },
    }),
    'c2lnbmF0dXJl',
  ].join('.');

/**
 * A stand-in API server with a `foreign` Secret (someone else's) and a `raced` one (absent when
 * read, created by someone else before our create), recording every request.
 */
function recordingClient() {
  const requests: string[] = [];
  const core = {
    readNamespacedServiceAccount: async () => ({ metadata: { uid: 'sa-uid' } }),
    createNamespacedSecret: async (req: { body: k8s.V1Secret }) => {
      const name = req.body.metadata?.name ?? '';
      requests.push(`create secret ${name}`);
      if (name === 'foreign' || name === 'raced')
        throw Object.assign(new Error('HTTP 409'), { code: 409 });
      return { ...req.body, metadata: { ...req.body.metadata, uid: `uid-${name}` } };
    },
    readNamespacedSecret: async (req: { name: string }) => {
      requests.push(`get secret ${req.name}`);
      if (req.name !== 'foreign') throw Object.assign(new Error('HTTP 404'), { code: 404 });
      return { type: 'Opaque', metadata: { name: 'foreign' }, data: { password: 'cA==' } };
    },
    createNamespacedServiceAccountToken: async (req: {
      body: k8s.AuthenticationV1TokenRequest;
    }) => {
      requests.push('create token');
      const ref = req.body.spec.boundObjectRef;
      return { status: { token: token(ref ? { name: ref.name ?? '', uid: 'b-uid' } : undefined) } };
    },
    patchNamespacedSecret: async (req: { name: string }) => {
      requests.push(`patch secret ${req.name}`);
      return {};
    },
    deleteNamespacedSecret: async (req: { name: string }) => {
      requests.push(`delete secret ${req.name}`);
      return {};
    },
    listNamespacedSecret: async () => {
      requests.push('list secrets');
      return { items: [] };
    },
  };
  return { client: standInClient(core, 'shop'), requests };
}

describe('mintAndStore', () => {
  test('stored in every destination, in order; the clean-up runs after, with a new binding Secret', async () => {
    const { client, requests } = recordingClient();
    const file = join(tempDir('mint-and-store-'), 'token');
    // WHEN
    const result = await mintAndStore({
      client,
      serviceAccount: 'deployer',
      bindToNewSecret: true,
      destinations: [
        { kind: 'tokenFile', path: file },
        { kind: 'secret', name: 'deployer-token' },
      ],
    });
    // THEN
    expect(result.stored.map((s) => s.destination)).toEqual([
      file,
      'secret/deployer-token -n shop',
    ]);
    expect(readFileSync(file, 'utf8')).toBe(`${result.minted.token}\n`);
    expect(result.deletedBindingSecrets).toBe(0);
    expect(requests.slice(-1)).toEqual(['list secrets']);
    expect(requests.filter((r) => r.startsWith('delete'))).toEqual([]);
  });

  test('a Secret that is not ours to write fails before anything is minted', async () => {
    const { client, requests } = recordingClient();
    const promise = mintAndStore({
      client,
      serviceAccount: 'deployer',
      bindToNewSecret: true,
      destinations: [
        { kind: 'tokenFile', path: join(tempDir('mint-and-store-'), 'token') },
        { kind: 'secret', name: 'foreign' },
      ],
    });
    await expect(promise).rejects.toThrow(
      "secret 'shop/foreign' exists and is not managed by access-tokens",
    );
    expect(requests).toEqual(['get secret foreign']);
  });

  test('the first destination fails: the new binding Secret is deleted and the error says so', async () => {
    const { client, requests } = recordingClient();
    const promise = mintAndStore({
      client,
      serviceAccount: 'deployer',
      bindToNewSecret: true,
      destinations: [{ kind: 'secret', name: 'raced' }],
    });
    await expect(promise).rejects.toThrow(
      /\(the token was discarded and its binding Secret deployer-token-\w+ deleted\)/,
    );
    expect(requests.filter((r) => r.startsWith('delete secret deployer-token-'))).toHaveLength(1);
    expect(requests).not.toContain('list secrets'); // no clean-up for a token not kept
  });

  test('a later destination fails: the error says where the token is, its binding Secret stays', async () => {
    const { client, requests } = recordingClient();
    const file = join(tempDir('mint-and-store-'), 'token');
    const promise = mintAndStore({
      client,
      serviceAccount: 'deployer',
      bindToNewSecret: true,
      destinations: [
        { kind: 'tokenFile', path: file },
        { kind: 'secret', name: 'raced' },
      ],
    });
    await expect(promise).rejects.toThrow(`(the token was kept in ${file})`);
    expect(requests.filter((r) => r.startsWith('delete'))).toEqual([]);
  });

  test('without a new binding Secret, a failure deletes nothing (a Secret bound on purpose stays)', async () => {
    const { client, requests } = recordingClient();
    const folder = join(tempDir('mint-and-store-'), 'a-folder');
    mkdirSync(folder);
    const promise = mintAndStore({
      client,
      serviceAccount: 'deployer',
      boundObject: { kind: 'Secret', name: 'chosen' },
      destinations: [{ kind: 'tokenFile', path: folder }],
    });
    await expect(promise).rejects.toThrow(/cannot write the token file/);
    expect(requests.filter((r) => r.startsWith('delete'))).toEqual([]);
  });
});
