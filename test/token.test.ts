import { Chart, Duration, Testing } from 'cdk8s';
import { ManagedTokenSecret, TokenStore, renderTokenDeclaration } from '../src/constructs/token.js';
import {
  MANAGED_LABEL,
  managedSecretManifest,
  TOKEN_DECLARATION_ANNOTATION,
  parseTokenDeclaration,
  serializeTokenDeclaration,
  type TokenDeclaration,
} from '../src/contract/token-declaration.js';
import { tempDir } from './temp-dir.js';

describe('renderTokenDeclaration', () => {
  test('renders a deterministic, versioned annotation', () => {
    // GIVEN
    const props = {
      duration: Duration.hours(1),
      audiences: ['https://kubernetes.default.svc'],
      store: TokenStore.secret('deployer-token'),
    };
    // WHEN
    const rendered = renderTokenDeclaration(props);
    // THEN
    expect(rendered.annotationKey).toBe(TOKEN_DECLARATION_ANNOTATION);
    expect(rendered.secretName).toBe('deployer-token');
    expect(rendered.annotationValue).toBe(
      '{"version":1,"durationSeconds":3600,"audiences":["https://kubernetes.default.svc"],"store":{"kind":"secret","name":"deployer-token"},"boundToSecret":false}',
    );
    expect(renderTokenDeclaration(props).annotationValue).toBe(rendered.annotationValue);
  });

  test('defaults: stdout, no audiences, not bound, no secret to emit', () => {
    const rendered = renderTokenDeclaration({ duration: Duration.minutes(10) });
    expect(rendered.secretName).toBeUndefined();
    expect(JSON.parse(rendered.annotationValue)).toEqual({
      version: 1,
      durationSeconds: 600,
      audiences: [],
      store: { kind: 'stdout' },
      boundToSecret: false,
    });
  });

  test('kubeconfig file store, rotation and mintOnDeploy round-trip through the parser', () => {
    const rendered = renderTokenDeclaration({
      duration: Duration.days(2),
      store: TokenStore.kubeconfigFile('out/ci.kubeconfig'),
      boundToSecret: true,
      rotation: { schedule: '0 */4 * * *' },
      mintOnDeploy: true,
    });
    const parsed = parseTokenDeclaration(rendered.annotationValue, 'test');
    expect(parsed).toEqual({
      version: 1,
      durationSeconds: 172800,
      audiences: [],
      store: { kind: 'kubeconfigFile', path: 'out/ci.kubeconfig' },
      boundToSecret: true,
      rotation: { schedule: '0 */4 * * *' },
      mintOnDeploy: true,
    });
    expect(serializeTokenDeclaration(parsed)).toBe(rendered.annotationValue);
  });

  test.each([
    [Duration.minutes(5), /token\.duration must be at least 10 minutes \(600 s\), got 300 s/],
    [Duration.seconds(599), /at least 10 minutes \(600 s\), got 599 s/],
    [
      Duration.seconds(2 ** 32 + 1),
      /token\.duration must be at most 2\^32 seconds \(4294967296 s\), got 4294967297 s/,
    ],
    [Duration.millis(600500), /whole number of seconds, got 600\.5 s/],
  ])('rejects duration %p', (duration, message) => {
    expect(() => renderTokenDeclaration({ duration })).toThrow(message);
  });

  test('accepts the bounds', () => {
    expect(() => renderTokenDeclaration({ duration: Duration.seconds(600) })).not.toThrow();
    expect(() => renderTokenDeclaration({ duration: Duration.seconds(2 ** 32) })).not.toThrow();
  });

  test('rejects an empty audience', () => {
    expect(() =>
      renderTokenDeclaration({ duration: Duration.hours(1), audiences: ['a', ' '] }),
    ).toThrow(/token\.audiences\[1\] must not be empty, got ' '/);
  });

  test('rejects audiences that are not a list of distinct names without surrounding spaces', () => {
    // A JavaScript app's one name: spread, it became ['v', 'a', 'u', 'l', 't']
    const render = (audiences: unknown) => () =>
      renderTokenDeclaration({
        duration: Duration.hours(1),
        audiences: audiences as readonly string[],
      });
    expect(render('vault')).toThrow(
      `token.audiences must be a list of audience names (e.g. ['vault']), got "vault"`,
    );
    expect(render(['vault', 7])).toThrow('token.audiences[1] must be a string, got 7');
    expect(render([' vault'])).toThrow(
      "token.audiences[0] must not have surrounding spaces, got ' vault'",
    );
  });

  test.each([
    [{ boundToSecret: 'false' }, 'token.boundToSecret must be true or false, got "false"'],
    [{ mintOnDeploy: 'false' }, 'token.mintOnDeploy must be true or false, got "false"'],
    [
      { store: 'secret' },
      'token.store must be a TokenStore (TokenStore.secret(name), TokenStore.kubeconfigFile(path) or TokenStore.stdout()), got "secret"',
    ],
    [
      { rotation: { schedule: 5 } },
      "token.rotation.schedule must be a string (e.g. '*/6 * * * *'), got 5",
    ],
  ])('rejects a wrong type from JavaScript: %j', (props, message) => {
    expect(() =>
      renderTokenDeclaration({ duration: Duration.hours(1), ...(props as object) }),
    ).toThrow(message);
  });

  test('rejects a repeated audience', () => {
    expect(() =>
      renderTokenDeclaration({ duration: Duration.hours(1), audiences: ['a', 'a'] }),
    ).toThrow(/must not repeat an audience/);
  });

  test('rejects a rotation schedule that is not cron', () => {
    expect(() =>
      renderTokenDeclaration({ duration: Duration.hours(1), rotation: { schedule: 'hourly' } }),
    ).toThrow(
      /^token\.rotation\.schedule 'hourly' must have 5 fields \(minute hour day-of-month month day-of-week\), got 1/,
    );
  });

  test('accepts the descriptors the README allows, and declares them as given', () => {
    // GIVEN a 1-day token: @hourly runs every 3600 s, within 10% of its lifetime (8640 s)
    for (const schedule of ['@hourly', '0 * * * *']) {
      // WHEN
      const rendered = renderTokenDeclaration({
        duration: Duration.days(1),
        rotation: { schedule },
      });
      // THEN
      expect(JSON.parse(rendered.annotationValue).rotation).toEqual({ schedule });
    }
    expect(
      JSON.parse(
        renderTokenDeclaration({ duration: Duration.days(30), rotation: { schedule: '@daily' } })
          .annotationValue,
      ).rotation,
    ).toEqual({ schedule: '@daily' });
  });

  test('checks the schedule against the lifetime, naming token.rotation.schedule', () => {
    expect(() =>
      renderTokenDeclaration({ duration: Duration.hours(1), rotation: { schedule: '@hourly' } }),
    ).toThrow(
      /^token\.rotation\.schedule '@hourly' runs every hour, but the token must be checked/,
    );
  });
});

describe('TokenStore', () => {
  test.each(['', 'Deployer', 'a_b', '-a', 'a-', 'x'.repeat(254)])(
    'rejects secret name %p',
    (name) => {
      expect(() => TokenStore.secret(name)).toThrow(
        /token\.store: secret name '.*' is invalid: expected a DNS-1123 subdomain/,
      );
    },
  );

  test('accepts dotted secret names', () => {
    expect(TokenStore.secret('a.b-c').declaration).toEqual({ kind: 'secret', name: 'a.b-c' });
  });

  test('rejects an empty kubeconfig path', () => {
    expect(() => TokenStore.kubeconfigFile(' ')).toThrow(/kubeconfig path must not be empty/);
  });

  test.each(['/etc/x', '../x', 'out/../../x', 'a/..', '..\\x', 'C:\\x'])(
    'rejects a kubeconfig path outside the output folder: %s',
    (path) => {
      expect(() => TokenStore.kubeconfigFile(path)).toThrow(
        `token.store.path must be a relative path inside the output folder, got '${path}'`,
      );
    },
  );

  test.each(['out/', 'out\\', '.', 'out/.', './'])(
    'rejects a kubeconfig path that is a folder: %s',
    (path) => {
      expect(() => TokenStore.kubeconfigFile(path)).toThrow(
        `token.store.path must name a file, not a folder, got '${path}'`,
      );
    },
  );

  test('accepts a relative kubeconfig path, also one with dots in names', () => {
    expect(TokenStore.kubeconfigFile('out/..ci.kubeconfig').declaration).toEqual({
      kind: 'kubeconfigFile',
      path: 'out/..ci.kubeconfig',
    });
  });
});

describe('ManagedTokenSecret', () => {
  /** Testing.chart(), but in an app whose outdir is removed after the file (Testing's is not). */
  const testChart = (): Chart =>
    new Chart(Testing.app({ outdir: tempDir('cdk8s.outdir.') }), 'test');

  test('synthesizes an empty Secret of a type of its own, labelled as managed', () => {
    // GIVEN
    const chart = testChart();
    // WHEN
    new ManagedTokenSecret(chart, 'Store', {
      name: 'deployer-token',
      namespace: 'shop',
      labels: { app: 'x' },
    });
    // THEN
    const [secret] = Testing.synth(chart);
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'deployer-token',
        namespace: 'shop',
        labels: { app: 'x', [MANAGED_LABEL]: 'true' },
      },
      // Not Opaque: `type` is immutable, so applying it onto someone else's Opaque Secret of
      // the same name fails instead of merging our label into it (the kubectl apply e2e test
      // in test/e2e/store-safety.test.ts shows the server refusing it).
      type: 'access-tokens.cdk8s.io/token',
    });
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
  });

  test('rejects labels the API server refuses', () => {
    expect(
      () => new ManagedTokenSecret(testChart(), 'Store', { name: 's', labels: { a: 'b c' } }),
    ).toThrow(`labels['a'] is invalid: expected a string, empty or of at most 63 characters`);
  });

  test('rejects an invalid name', () => {
    const chart = testChart();
    expect(() => new ManagedTokenSecret(chart, 'Store', { name: 'Bad_Name' })).toThrow(/DNS-1123/);
  });

  test('managedSecretManifest keeps the managed label even when labels try to override it', () => {
    const m = managedSecretManifest('s', { labels: { [MANAGED_LABEL]: 'false' } });
    expect(m.metadata).toEqual({ name: 's', labels: { [MANAGED_LABEL]: 'true' } });
    expect(m).not.toHaveProperty('data');
  });

  test('managedSecretManifest carries the runtime fields it is given', () => {
    const owner = { apiVersion: 'v1', kind: 'ServiceAccount', name: 'sa', uid: 'u-1' };
    const m = managedSecretManifest('s', {
      namespace: 'ns',
      annotations: { a: 'b' },
      ownerReferences: [owner],
      data: { token: 'dA==' },
    });
    expect(m.metadata).toMatchObject({
      namespace: 'ns',
      annotations: { a: 'b' },
      ownerReferences: [owner],
    });
    expect(m.data).toEqual({ token: 'dA==' });
    expect(() => managedSecretManifest('Bad_Name')).toThrow(/DNS-1123/);
  });
});

describe('parseTokenDeclaration', () => {
  const valid: TokenDeclaration = {
    version: 1,
    durationSeconds: 3600,
    audiences: [],
    store: { kind: 'stdout' },
    boundToSecret: false,
  };
  const withField = (patch: Record<string, unknown>): string =>
    JSON.stringify({ ...valid, ...patch });

  test.each([
    ['not json', /sa shop\/x: annotation access-tokens\.cdk8s\.io\/token is not valid JSON/],
    ['[]', /the value is \[\], expected a JSON object/],
    [
      withField({ version: 2 }),
      /version is 2, expected 1 \(this runtime reads format version 1 only/,
    ],
    [withField({ version: undefined }), /version is undefined, expected 1/],
    [
      withField({ durationSeconds: 300 }),
      /durationSeconds is 300, expected an integer from 600 to 4294967296/,
    ],
    [withField({ durationSeconds: '3600' }), /durationSeconds is "3600"/],
    [withField({ audiences: [''] }), /audiences is \[""\], expected an array of non-empty strings/],
    [withField({ audiences: 'a' }), /audiences is "a"/],
    [
      withField({ store: { kind: 'vault' } }),
      /store\.kind is "vault", expected 'secret', 'kubeconfigFile', 'stdout'/,
    ],
    [
      withField({ store: { kind: 'secret', name: 'Bad' } }),
      /store\.name is "Bad", expected a DNS-1123 subdomain/,
    ],
    [
      withField({ store: { kind: 'kubeconfigFile', path: '' } }),
      /store\.path is "", expected a non-empty path/,
    ],
    [
      withField({ store: { kind: 'kubeconfigFile', path: '/etc/x' } }),
      /token\.store\.path must be a relative path inside the output folder, got '\/etc\/x'/,
    ],
    [
      withField({ store: { kind: 'kubeconfigFile', path: 'a/../../x' } }),
      /token\.store\.path must be a relative path inside the output folder, got 'a\/\.\.\/\.\.\/x'/,
    ],
    [withField({ store: null }), /store is null, expected an object/],
    [withField({ boundToSecret: 'yes' }), /boundToSecret is "yes", expected true or false/],
    [withField({ rotation: 'daily' }), /rotation is "daily", expected an object/],
    [withField({ rotation: { schedule: 3 } }), /rotation\.schedule is 3/],
    [withField({ mintOnDeploy: 1 }), /mintOnDeploy is 1, expected true or false/],
    [withField({ extra: true }), /field 'extra' is true, expected one of version/],
  ])('rejects %s', (text, message) => {
    expect(() => parseTokenDeclaration(text, 'sa shop/x')).toThrow(message);
  });
});
