import { writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { ClusterClient, connect } from '../src/runtime/cluster.js';
import { directTlsOf } from '../src/runtime/kubeconfig-model.js';
import { loadKubeConfig, resolveNamespace } from '../src/runtime/kubeconfig.js';
import { redactSecrets } from '../src/runtime/redact.js';
import { renderTokenKubeconfig } from '../src/runtime/token-kubeconfig.js';
import { parse } from 'yaml';
import { tempDir } from './temp-dir.js';

const dir = tempDir('kc-');
const writeText = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const clusterEntry = (c: string) => ({
  name: c,
  cluster: {
    server: `https://${c}.example:6443`,
    'certificate-authority-data': Buffer.from('CA').toString('base64'),
  },
});
/** A kubeconfig with one cluster, user and context per name, each context using its namesakes. */
const write = (name: string, clusters: string[], current: string, ns?: string): string =>
  writeText(
    name,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: clusters.map(clusterEntry),
      users: clusters.map((c) => ({ name: c, user: { token: `t-${c}` } })),
      contexts: clusters.map((c) => ({
        name: c,
        context: { cluster: c, user: c, ...(ns ? { namespace: ns } : {}) },
      })),
      'current-context': current,
    }),
  );
/** A kubeconfig with the given users and one context `ctx` (current) of the given context fields. */
const writeContext = (
  name: string,
  context: Record<string, string>,
  users: Record<string, unknown> = { a: { token: 't-a' }, b: { token: 't-b' } },
): string =>
  writeText(
    name,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [clusterEntry('one'), clusterEntry('two')],
      users: Object.entries(users).map(([n, user]) => ({ name: n, user })),
      contexts: [{ name: 'ctx', context }],
      'current-context': 'ctx',
    }),
  );

describe('loadKubeConfig', () => {
  const a = write('a', ['one', 'two'], 'one', 'shop');
  const b = write('b', ['two', 'three'], 'three');

  test('--kubeconfig wins over KUBECONFIG', () => {
    const { kc } = loadKubeConfig({ kubeconfig: b, env: { KUBECONFIG: a } });
    expect(kc.getCurrentContext()).toBe('three');
  });

  test.each([
    ['first', (files: string[]) => [join(dir, 'missing'), ...files]],
    ['middle', (files: string[]) => [files[0], join(dir, 'missing'), files[1]]],
    ['last', (files: string[]) => [...files, join(dir, 'missing')]],
  ])('KUBECONFIG skips a file that does not exist, also the %s one', (_where, list) => {
    const { kc, source } = loadKubeConfig({ env: { KUBECONFIG: list([b, a]).join(delimiter) } });
    expect(kc.getCurrentContext()).toBe('three');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['two', 'three', 'one']);
    expect(source).toBe(`KUBECONFIG ${list([b, a]).join(delimiter)}`);
  });

  test('KUBECONFIG takes an empty file, in any position, for an empty configuration', () => {
    const empty = writeText('empty.kc', '');
    const comments = writeText('comments.kc', '# nothing yet\n');
    for (const files of [
      [empty, b],
      [b, empty],
      [comments, empty, b, a],
    ]) {
      const { kc } = loadKubeConfig({ env: { KUBECONFIG: files.join(delimiter) } });
      expect(kc.getCurrentContext()).toBe('three');
      expect(kc.getCurrentCluster()?.server).toBe('https://three.example:6443');
    }
  });

  test('KUBECONFIG naming no file that exists is a usage error naming the variable and the files', () => {
    const list = [join(dir, 'm1'), join(dir, 'm2')];
    expect(() => loadKubeConfig({ env: { KUBECONFIG: list.join(delimiter) } })).toThrow(
      `no file of KUBECONFIG exists: ${list.join(', ')}`,
    );
  });

  test('KUBECONFIG of empty files only is a usage error saying there is no context', () => {
    const empty = writeText('empty-only.kc', '');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: empty } })).toThrow(
      `KUBECONFIG ${empty} sets no current context: pass --context (known contexts are none)`,
    );
  });

  test('a file of KUBECONFIG that is not a kubeconfig is still an error', () => {
    const scalar = writeText('scalar.kc', 'hello\n');
    expect(() => loadKubeConfig({ env: { KUBECONFIG: [a, scalar].join(delimiter) } })).toThrow(
      `kubeconfig '${scalar}' is not a kubeconfig (expected apiVersion v1, kind Config)`,
    );
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
    ['/dev/null', undefined, 'is empty'],
    ['an empty file', '', 'is empty'],
    ['a file of comments only', '# later\n', 'is empty'],
    ['a YAML scalar', 'hello\n', 'is not a kubeconfig'],
    ['a YAML list', '- a\n- b\n', 'is not a kubeconfig'],
  ])('--kubeconfig of %s is a usage error saying what it is', (label, content, what) => {
    const file = content === undefined ? '/dev/null' : writeText(`bad-${label.length}`, content);
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      `kubeconfig '${file}' ${what} (expected apiVersion v1, kind Config)`,
    );
  });

  test('invalid YAML is a usage error naming the file and the position', () => {
    const file = writeText('invalid.kc', 'clusters:\n  - name: a\n   bad: [\n');
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      new RegExp(`^cannot read kubeconfig '${file}': .*\\(\\d+:\\d+\\)$`),
    );
  });

  test('a context naming a user that is not there is a usage error naming context, source and user', () => {
    const file = writeContext('no-such-user.kc', { cluster: 'one', user: 'nope' });
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      `context 'ctx' of --kubeconfig ${file} names user 'nope', which is not in it: known users are a, b`,
    );
    // control: the same context naming a user that is there
    const good = writeContext('user-a.kc', { cluster: 'one', user: 'a' });
    expect(loadKubeConfig({ kubeconfig: good }).kc.getCurrentUser()?.token).toBe('t-a');
  });

  test('a context naming a cluster that is not there is a usage error naming context, source and cluster', () => {
    const file = writeContext('no-such-cluster.kc', { cluster: 'nope', user: 'a' });
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      `context 'ctx' of --kubeconfig ${file} names cluster 'nope', which is not in it: known clusters are one, two`,
    );
    // The context chosen with --context is checked, in a merged KUBECONFIG too.
    expect(() =>
      loadKubeConfig({ env: { KUBECONFIG: [a, file].join(delimiter) }, context: 'ctx' }),
    ).toThrow(
      `context 'ctx' of KUBECONFIG ${a}${delimiter}${file} names cluster 'nope', which is not in it: known clusters are one, two`,
    );
    // control: only the context in use is checked
    expect(
      loadKubeConfig({ env: { KUBECONFIG: [a, file].join(delimiter) } }).kc.getCurrentContext(),
    ).toBe('one');
  });

  test('a current-context that is not in the configuration is a usage error listing the known ones', () => {
    const file = writeText(
      'dangling-current.kc',
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [clusterEntry('one')],
        contexts: [{ name: 'ctx', context: { cluster: 'one' } }],
        'current-context': 'gone',
      }),
    );
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      `current context 'gone' of --kubeconfig ${file} is not in it: known contexts are ctx`,
    );
  });

  test("a context with no user is anonymous, and still trusts its cluster's CA", async () => {
    // kubectl sends no credentials then; client-node would skip the cluster's CA without a user.
    const kubeconfig = writeContext('anonymous.kc', { cluster: 'one' });
    const options: RequestOptions = {};
    await (await connect({ kubeconfig }).kubeConfig()).applyToHTTPSOptions(options);
    expect(String(options.ca)).toBe('CA');
    expect((options.headers as Record<string, unknown> | undefined)?.Authorization).toBeUndefined();
    expect(options.auth).toBeUndefined();
    // The same without client-node.
    const direct = directTlsOf(loadKubeConfig({ kubeconfig }).kc);
    expect(String(direct?.tls.ca)).toBe('CA');
    expect(direct?.headers()).toEqual({});
  });

  test.each([
    [
      'an exec plugin',
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'true' } },
    ],
    ['an auth-provider', { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } }],
    ['a client certificate', { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' }],
  ])('a user with %s is accepted as it is', (_label, user) => {
    const file = writeContext(
      `user-${_label.length}.kc`,
      { cluster: 'two', user: 'u' },
      { u: user },
    );
    expect(loadKubeConfig({ kubeconfig: file }).kc.getCurrentUser()?.name).toBe('u');
  });

  test("namespace: -n, else the context's, else default", () => {
    const { kc } = loadKubeConfig({ kubeconfig: a });
    expect(resolveNamespace(kc, 'x')).toBe('x');
    expect(resolveNamespace(kc)).toBe('shop');
    expect(resolveNamespace(loadKubeConfig({ kubeconfig: b }).kc)).toBe('default');
  });
});

describe("ClusterClient registers the kubeconfig's credentials for redaction", () => {
  const text = (secret: string) => `the server said: ${secret} is wrong`;

  test('a static token', () => {
    const token = 'static-token-0123456789abcdef';
    const file = writeContext('static-token.kc', { cluster: 'one', user: 'a' }, { a: { token } });
    expect(redactSecrets(text(token))).toBe(text(token)); // control: not known before
    new ClusterClient({ kubeconfig: file });
    expect(redactSecrets(text(token))).toBe(text('[REDACTED]'));
  });

  test("a token-file's contents (client-node reads it when loading)", () => {
    const token = 'file-token-0123456789abcdef';
    const tokenFile = writeText('token', token);
    const file = writeContext(
      'token-file.kc',
      { cluster: 'one', user: 'a' },
      {
        a: { 'token-file': tokenFile },
      },
    );
    new ClusterClient({ kubeconfig: file });
    expect(redactSecrets(text(token))).toBe(text('[REDACTED]'));
  });

  test('a password, and the basic-auth header made of it', () => {
    const password = 'pass-word-0123456789';
    const file = writeContext(
      'basic.kc',
      { cluster: 'one', user: 'a' },
      {
        a: { username: 'admin', password },
      },
    );
    new ClusterClient({ kubeconfig: file });
    const basic = Buffer.from(`admin:${password}`).toString('base64');
    expect(redactSecrets(text(password))).toBe(text('[REDACTED]'));
    expect(redactSecrets(text(`Basic ${basic}`))).toBe(text('Basic [REDACTED]'));
  });

  test('a client key, decoded and as given', () => {
    const key =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const keyData = Buffer.from(key).toString('base64');
    const file = writeContext(
      'cert.kc',
      { cluster: 'one', user: 'a' },
      {
        a: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': keyData },
      },
    );
    new ClusterClient({ kubeconfig: file });
    expect(redactSecrets(text(key))).toBe(text('[REDACTED]'));
    expect(redactSecrets(text(keyData))).toBe(text('[REDACTED]'));
  });

  test("only the current context's user", () => {
    const other = 'other-user-token-0123456789';
    const file = writeContext(
      'two-users.kc',
      { cluster: 'one', user: 'a' },
      {
        a: { token: 'current-user-token-0123' },
        b: { token: other },
      },
    );
    new ClusterClient({ kubeconfig: file });
    expect(redactSecrets(text(other))).toBe(text(other));
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
