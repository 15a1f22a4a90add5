import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { loadKubeConfig, resolveNamespace } from '../src/runtime/cluster.js';
import { renderTokenKubeconfig } from '../src/runtime/token-kubeconfig.js';
import { accessQueryOf } from '../src/runtime/can-i.js';
import { parse } from 'yaml';
import { tempDir } from './temp-dir.js';

const dir = tempDir('kc-');
const write = (name: string, clusters: string[], current: string, ns?: string): string => {
  const file = join(dir, name);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: clusters.map((c) => ({
        name: c,
        cluster: {
          server: `https://${c}.example:6443`,
          'certificate-authority-data': Buffer.from('CA').toString('base64'),
        },
      })),
      users: clusters.map((c) => ({ name: c, user: { token: `t-${c}` } })),
      contexts: clusters.map((c) => ({
        name: c,
        context: { cluster: c, user: c, ...(ns ? { namespace: ns } : {}) },
      })),
      'current-context': current,
    }),
  );
  return file;
};

describe('loadKubeConfig', () => {
  const a = write('a', ['one', 'two'], 'one', 'shop');
  const b = write('b', ['two', 'three'], 'three');

  test('--kubeconfig wins over KUBECONFIG', () => {
    const { kc } = loadKubeConfig({ kubeconfig: b, env: { KUBECONFIG: a } });
    expect(kc.getCurrentContext()).toBe('three');
  });

  test('KUBECONFIG merges files; the first to set a value wins; missing files are skipped', () => {
    const { kc } = loadKubeConfig({
      env: { KUBECONFIG: [a, join(dir, 'missing'), b].join(delimiter) },
    });
    expect(kc.getCurrentContext()).toBe('one');
    expect(
      kc
        .getContexts()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['one', 'three', 'two']);
    expect(kc.getCluster('two')?.server).toBe('https://two.example:6443');
  });

  test('--context selects; an unknown one is a usage error listing the known ones', () => {
    expect(loadKubeConfig({ kubeconfig: a, context: 'two' }).kc.getCurrentCluster()?.name).toBe(
      'two',
    );
    expect(() => loadKubeConfig({ kubeconfig: a, context: 'nope' })).toThrow(
      /context 'nope' is not in --kubeconfig .*: known contexts are one, two/,
    );
  });

  test('no configuration at all is a usage error', () => {
    expect(() => loadKubeConfig({ env: { HOME: dir } })).toThrow(/no cluster configured/);
  });

  test('an unreadable file is a usage error naming it', () => {
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'nope') })).toThrow(
      /cannot read kubeconfig '.*nope'/,
    );
  });

  test.each([
    ['/dev/null', undefined],
    ['an empty file', ''],
    ['a YAML scalar', 'hello\n'],
    ['a YAML list', '- a\n- b\n'],
  ])('%s is a usage error saying it is not a kubeconfig', (label, content) => {
    const file = content === undefined ? '/dev/null' : join(dir, `bad-${label.length}`);
    if (content !== undefined) writeFileSync(file, content);
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      `kubeconfig '${file}' is empty or not a kubeconfig (expected apiVersion v1, kind Config)`,
    );
  });

  test("namespace: -n, else the context's, else default", () => {
    const { kc } = loadKubeConfig({ kubeconfig: a });
    expect(resolveNamespace(kc, 'x')).toBe('x');
    expect(resolveNamespace(kc)).toBe('shop');
    expect(resolveNamespace(loadKubeConfig({ kubeconfig: b }).kc)).toBe('default');
  });
});

describe('renderTokenKubeconfig', () => {
  test('server and CA of the current cluster, the token as the user, a named context', () => {
    const { kc } = loadKubeConfig({ kubeconfig: write('c', ['prod'], 'prod') });
    const doc = parse(
      renderTokenKubeconfig(kc, 'TOKEN', { namespace: 'shop', serviceAccount: 'deployer' }),
    );
    expect(doc).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'prod',
          cluster: {
            server: 'https://prod.example:6443',
            'certificate-authority-data': Buffer.from('CA').toString('base64'),
          },
        },
      ],
      users: [{ name: 'shop/deployer', user: { token: 'TOKEN' } }],
      contexts: [
        {
          name: 'deployer@prod',
          context: { cluster: 'prod', user: 'shop/deployer', namespace: 'shop' },
        },
      ],
      'current-context': 'deployer@prod',
    });
  });
});

describe('accessQueryOf (kubectl auth can-i targets)', () => {
  test.each([
    ['deployments.apps/web', { resource: 'deployments', apiGroup: 'apps', name: 'web' }],
    // Like kubectl, the part after '/' is a name; subresources come from --subresource.
    ['pods/log', { resource: 'pods', apiGroup: '', name: 'log' }],
    ['pods', { resource: 'pods', apiGroup: '' }],
    ['widgets.example.com/w1', { resource: 'widgets', apiGroup: 'example.com', name: 'w1' }],
  ])('%s', (target, expected) => {
    expect(accessQueryOf('get', target)).toEqual({ verb: 'get', ...expected });
  });
  test('a non-resource URL', () =>
    expect(accessQueryOf('get', '/healthz')).toEqual({
      verb: 'get',
      resource: '',
      nonResourceUrl: '/healthz',
    }));
  test('--subresource wins', () =>
    expect(accessQueryOf('get', 'pods/p1', { subresource: 'log' })).toMatchObject({
      name: 'p1',
      subresource: 'log',
    }));
  test('a malformed target is a usage error', () =>
    expect(() => accessQueryOf('get', 'pods/a/b')).toThrow(/name 'a\/b'|pods\/a\/b/));
  test('namespace "" asks cluster-wide', () =>
    expect(accessQueryOf('list', 'nodes', { namespace: '' })).toMatchObject({ namespace: '' }));
});
