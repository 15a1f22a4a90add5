import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/runtime/atomic-file.js';
import { KubeConfig } from '@kubernetes/client-node';
import { connect } from '../src/runtime/cluster.js';
import { AccessTokensError } from '../src/runtime/errors.js';
import { withHiddenToken } from '../src/runtime/mint.js';
import { storeToken } from '../src/runtime/store.js';
import { tempDir } from './temp-dir.js';

describe('writeFileAtomic', () => {
  const dir = tempDir('atomic-');

  test('writes the content with mode 0600 and leaves no temp file', async () => {
    const own = tempDir('atomic-');
    const file = join(own, 'a.kubeconfig');
    await writeFileAtomic(file, 'hello');
    expect(readFileSync(file, 'utf8')).toBe('hello');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(own)).toEqual(['a.kubeconfig']);
  });

  test('replaces an existing, wider file and narrows it to 0600', async () => {
    const file = join(dir, 'b');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    await writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a failed write leaves what was there intact and no partial or temp file', async () => {
    // Renaming onto a (non-empty) directory fails after the temp file was fully written.
    const target = join(dir, 'sub');
    mkdirSync(join(target, 'x'), { recursive: true });
    await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readdirSync(target)).toEqual(['x']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a missing directory is an error, not a partial file', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x'), 'y')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('storeToken into files', () => {
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  const minted = withHiddenToken(
    {
      namespace: 'shop',
      serviceAccount: 'deployer',
      audiences: [],
      requestedSeconds: 3600,
      expiresAt: '2030-01-01T00:00:00.000Z',
      lifetimeSeconds: 3600,
      warnings: [],
    },
    token,
  );
  // A client that is never asked anything: a kubeconfig file takes its server and CA.
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:9', skipTLSVerify: false }],
    users: [{ name: 'u', token: 'admin-credential' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'shop' }],
    currentContext: 'x',
  });
  const client = connect({ kubeConfig: kc });

  test.each(['tokenFile', 'kubeconfigFile'] as const)(
    'GIVEN a %s in a folder that does not exist WHEN storing THEN a usage error names the file, not the token',
    async (kind) => {
      const path = join(tempDir('store-'), 'missing', 'token');
      const err = await storeToken(client, minted, { kind, path }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AccessTokensError);
      expect(err).toMatchObject({
        category: 'usage',
        message: `cannot write the token file '${path}' (ENOENT)`,
      });
    },
  );
});
