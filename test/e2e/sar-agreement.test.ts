/**
 * The offline authorizer agrees with the real API server. The example app is synthesized
 * into a fresh namespace and applied; then, for each of its ServiceAccounts, the construct's
 * `canI` and the server's SubjectAccessReview answer a matrix of verbs × resources × names ×
 * namespaces, and must agree on every cell. A second matrix feeds the server's whole RBAC
 * policy (bootstrap roles included) to the offline authorizer and compares non-resource URLs
 * and other users as well.
 */
import { App } from 'cdk8s';
import * as k8s from '@kubernetes/client-node';
import { buildExampleApp } from '../../examples/app.js';
import {
  RbacAuthorizer,
  serviceAccountGroups,
  serviceAccountUser,
  type UserInfo,
} from '../../src/rbac/authorizer.js';
import { rbacPolicyFrom, type KubeObject } from '../../src/rbac/kube-object.js';
import type { AccessRequest, ResourceRequest } from '../../src/rbac/policy-rule.js';
import { ServiceAccountAccess } from '../../src/constructs/service-account-access.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adminKubeConfig,
  createNamespace,
  describeE2E,
  E2E_KUBECONFIG,
  uniqueNamespace,
  servedByTestServer,
} from './cluster.js';
import { runCli } from './runtime-fixtures.js';
import { tempDir } from '../temp-dir.js';

/** Thousands of SubjectAccessReviews take minutes on a loaded machine (2 cores, shared). */
const MATRIX_TIMEOUT_MS = 600_000;

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const RESOURCES: [group: string, resource: string, subresource: string][] = [
  ['', 'pods', ''],
  ['', 'pods', 'log'],
  ['', 'pods', 'exec'],
  ['apps', 'deployments', ''],
  ['apps', 'deployments', 'scale'],
  ['apps', 'replicasets', ''],
  ['apps', 'statefulsets', ''],
  ['', 'secrets', ''],
  ['', 'configmaps', ''],
  ['', 'events', ''],
  ['', 'persistentvolumeclaims', ''],
  ['', 'serviceaccounts', 'token'],
  ['batch', 'jobs', ''],
];
const NAMES = ['', 'web', 'worker', 'db-credentials', 'other'];

/** Runs async jobs with bounded concurrency, in order of results. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

async function serverAllows(
  api: k8s.AuthorizationV1Api,
  who: UserInfo,
  req: AccessRequest,
): Promise<boolean> {
  const spec: k8s.V1SubjectAccessReviewSpec =
    'path' in req
      ? {
          user: who.user,
          groups: [...(who.groups ?? [])],
          nonResourceAttributes: { verb: req.verb, path: req.path },
        }
      : {
          user: who.user,
          groups: [...(who.groups ?? [])],
          resourceAttributes: {
            verb: req.verb,
            group: req.apiGroup,
            resource: req.resource,
            subresource: req.subresource,
            name: req.name,
            namespace: req.namespace,
          },
        };
  const review = await api.createSubjectAccessReview({
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
  });
  return review.status?.allowed === true;
}

function describeRequest(req: AccessRequest): string {
  if ('path' in req) return `${req.verb} ${req.path}`;
  const r = req as ResourceRequest;
  return `${r.verb} ${r.resource}${r.subresource ? '/' + r.subresource : ''}${r.apiGroup ? '.' + r.apiGroup : ''} name=${r.name || '-'} ns=${r.namespace || '(cluster)'}`;
}

describeE2E('offline authorizer vs the API server', () => {
  const kc = adminKubeConfig();
  const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
  let namespace: string;
  let accounts: ServiceAccountAccess[];
  const dist = tempDir('e2e-sar-dist-');

  beforeAll(async () => {
    namespace = await createNamespace(kc, 'e2e-sar');
    const app = new App({ outdir: dist });
    const chart = buildExampleApp(app, namespace);
    app.synth();
    accounts = chart.node
      .findAll()
      .filter((c): c is ServiceAccountAccess => c instanceof ServiceAccountAccess)
      // The matrix stays the three accounts it was sized for (its time budget on a loaded
      // machine); the exporter's one read rule and its rotator are covered by their own tests.
      .filter((a) => a.serviceAccountName !== 'exporter');
    const objects = app.charts.flatMap((c) => c.toJson()) as KubeObject[];
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const obj of objects.filter(servedByTestServer))
      await client.create(obj as k8s.KubernetesObject);
  });

  test(
    'canI of every example ServiceAccount agrees with SubjectAccessReview on every cell',
    async () => {
      expect(accounts.map((a) => a.serviceAccountName).sort()).toEqual([
        'backup',
        'dashboard',
        'deployer',
      ]);
      const other = uniqueNamespace('e2e-other');
      const cells: { account: ServiceAccountAccess; req: ResourceRequest }[] = [];
      for (const account of accounts)
        for (const verb of VERBS)
          for (const [apiGroup, resource, subresource] of RESOURCES)
            for (const name of NAMES)
              for (const ns of [namespace, other, ''])
                cells.push({
                  account,
                  req: { verb, apiGroup, resource, subresource, name, namespace: ns },
                });

      const results = await mapLimit(cells, 16, async ({ account, req }) => {
        const who = {
          user: serviceAccountUser(namespace, account.serviceAccountName),
          groups: serviceAccountGroups(namespace),
        };
        const notation = `${req.resource}${req.apiGroup ? '.' + req.apiGroup : ''}${req.subresource ? '/' + req.subresource : ''}`;
        const offline = account.canI(req.verb, notation, {
          name: req.name,
          namespace: req.namespace,
        });
        const server = await serverAllows(authz, who, req);
        return { cell: `${account.serviceAccountName}: ${describeRequest(req)}`, offline, server };
      });
      const disagreements = results.filter((r) => r.offline !== r.server);
      expect(disagreements).toEqual([]);
      // The matrix is not vacuous: some cells are allowed, most are not.
      const allowed = results.filter((r) => r.server).length;
      expect(allowed).toBeGreaterThan(50);
      expect(results.length - allowed).toBeGreaterThan(1000);
    },
    MATRIX_TIMEOUT_MS,
  );

  test(
    "with the server's whole RBAC policy, the offline authorizer agrees on users, groups and URLs",
    async () => {
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      const withKind = (items: object[], apiVersion: string, kind: string) =>
        items.map((i) => ({ ...i, apiVersion, kind }) as KubeObject);
      const v = 'rbac.authorization.k8s.io/v1';
      const objects = [
        ...withKind((await rbac.listClusterRole()).items, v, 'ClusterRole'),
        ...withKind((await rbac.listClusterRoleBinding()).items, v, 'ClusterRoleBinding'),
        ...withKind((await rbac.listRoleForAllNamespaces()).items, v, 'Role'),
        ...withKind((await rbac.listRoleBindingForAllNamespaces()).items, v, 'RoleBinding'),
      ];
      const authorizer = new RbacAuthorizer(rbacPolicyFrom(objects));
      const users: UserInfo[] = [
        ...['deployer', 'backup'].map((n) => ({
          user: serviceAccountUser(namespace, n),
          groups: serviceAccountGroups(namespace),
        })),
        { user: 'alice', groups: ['system:authenticated'] },
        { user: 'system:anonymous', groups: ['system:unauthenticated'] },
        { user: 'system:kube-controller-manager', groups: ['system:authenticated'] },
        { user: 'ops', groups: ['system:masters'] },
      ];
      const requests: AccessRequest[] = [
        ...[
          '/healthz',
          '/healthz/etcd',
          '/livez',
          '/readyz',
          '/version',
          '/api',
          '/apis/apps',
          '/metrics',
          '/logs',
          '/openid/v1/jwks',
        ].flatMap((path) => ['get', 'post'].map((verb) => ({ verb, path }))),
        ...['get', 'list', 'create', 'delete', 'escalate', 'bind'].flatMap((verb) =>
          [
            ['', 'secrets', ''],
            ['', 'serviceaccounts', 'token'],
            ['authorization.k8s.io', 'selfsubjectaccessreviews', ''],
            ['rbac.authorization.k8s.io', 'clusterroles', ''],
            ['apps', 'deployments', ''],
            ['coordination.k8s.io', 'leases', ''],
          ].flatMap(([apiGroup, resource, subresource]) =>
            [namespace, 'kube-system', ''].map((ns) => ({
              verb,
              apiGroup,
              resource,
              subresource,
              name: '',
              namespace: ns,
            })),
          ),
        ),
      ];
      const cells = users.flatMap((who) => requests.map((req) => ({ who, req })));
      const results = await mapLimit(cells, 16, async ({ who, req }) => ({
        cell: `${who.user}: ${describeRequest(req)}`,
        offline: authorizer.authorize(who, req).allowed,
        server: await serverAllows(authz, who, req),
      }));
      expect(results.filter((r) => r.offline !== r.server)).toEqual([]);
      expect(results.filter((r) => r.server).length).toBeGreaterThan(100);
    },
    MATRIX_TIMEOUT_MS,
  );

  test(
    'the CLI `can-i --manifests dist/` agrees with SubjectAccessReview (every 5th cell)',
    async () => {
      const other = uniqueNamespace('e2e-other');
      const cells: { account: string; req: ResourceRequest }[] = [];
      let i = 0;
      for (const account of ['deployer', 'dashboard', 'backup'])
        for (const verb of VERBS)
          for (const [apiGroup, resource, subresource] of RESOURCES)
            for (const name of NAMES)
              for (const ns of [namespace, other, ''])
                if (i++ % 5 === 0)
                  cells.push({
                    account,
                    req: { verb, apiGroup, resource, subresource, name, namespace: ns },
                  });
      const results = await mapLimit(cells, 4, async ({ account, req }) => {
        const user = serviceAccountUser(namespace, account);
        const type = req.apiGroup ? `${req.resource}.${req.apiGroup}` : req.resource;
        const argv = [
          'can-i',
          req.verb,
          req.name ? `${type}/${req.name}` : type,
          '--manifests',
          dist,
          '--as',
          user,
          '-q',
        ];
        argv.push(...(req.namespace ? ['-n', req.namespace] : ['-A']));
        if (req.subresource) argv.push('--subresource', req.subresource);
        const cli = await runCli(argv);
        // A user given no groups gets the ServiceAccount's groups, as impersonation does.
        const server = await serverAllows(
          authz,
          { user, groups: serviceAccountGroups(namespace) },
          req,
        );
        return { cell: `${account}: ${describeRequest(req)}`, cli: cli.code, server };
      });
      expect(results.filter((r) => r.cli !== (r.server ? 0 : 1))).toEqual([]);
      expect(results.filter((r) => r.server).length).toBeGreaterThan(10);
    },
    MATRIX_TIMEOUT_MS,
  );

  test(
    'the CLI `can-i --manifests dist/` answers as SubjectAccessReview what every cluster grants everyone (discovery, /healthz, self reviews)',
    async () => {
      // GIVEN requests the bootstrap bindings of system:authenticated and system:serviceaccounts
      // allow (and some they do not), for a plain user and a ServiceAccount of the app
      const requests: AccessRequest[] = [
        ...['/healthz', '/api', '/apis', '/version', '/livez', '/readyz', '/openid/v1/jwks']
          .concat(['/.well-known/openid-configuration', '/metrics', '/logs'])
          .map((path) => ({ verb: 'get', path })),
        { verb: 'post', path: '/healthz' },
        ...['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews'].map(
          (resource) => ({
            verb: 'create',
            apiGroup: 'authorization.k8s.io',
            resource,
            subresource: '',
            name: '',
            namespace: '',
          }),
        ),
      ];
      const users = ['alice', serviceAccountUser(namespace, 'deployer')];
      const cells = users.flatMap((user) => requests.map((req) => ({ user, req })));
      // WHEN
      const results = await mapLimit(cells, 4, async ({ user, req }) => {
        const args = ['can-i', req.verb];
        if ('path' in req) args.push(req.path);
        else args.push(`${req.resource}.${req.apiGroup}`, '-A');
        args.push('--manifests', dist, '--as', user, '-q');
        const offline = await runCli(args);
        const withoutBuiltins = await runCli([...args, '--no-builtin-roles']);
        // As impersonation does: system:authenticated for a user, a ServiceAccount's groups for it.
        const groups =
          user === 'alice' ? ['system:authenticated'] : serviceAccountGroups(namespace);
        const server = await serverAllows(authz, { user, groups }, req);
        return {
          cell: `${user}: ${describeRequest(req)}`,
          offline: offline.code,
          withoutBuiltins: withoutBuiltins.code,
          server,
        };
      });
      // THEN the CLI agrees with the server; with --no-builtin-roles these are no longer granted
      expect(results.filter((r) => r.offline !== (r.server ? 0 : 1))).toEqual([]);
      expect(results.filter((r) => r.server).length).toBeGreaterThan(10);
      expect(results.filter((r) => r.server && r.withoutBuiltins !== 1)).toEqual([]);
    },
    MATRIX_TIMEOUT_MS,
  );

  describe('requests kubectl sends that look wrong: the server compares them literally, and so do we', () => {
    // Rules that tell literal matching apart from any normalisation: `*` verbs and groups,
    // a verb and a resource in upper case, a custom group, `*\/status`.
    const literalRules = [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['Pods'], verbs: ['GET'] },
      {
        apiGroups: ['example.com'],
        resources: ['widgets', 'widgets/status'],
        verbs: ['frobnicate'],
      },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'], resourceNames: ['web'] },
    ];
    const wildRules = [
      { apiGroups: ['*'], resources: ['*/status', 'deployment'], verbs: ['*'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['*'] },
      { nonResourceURLs: ['/custom/*', '/Healthz'], verbs: ['*'] },
    ];
    const VERBS_LITERAL = ['get', 'GET', 'Get', 'list', 'frobnicate', '', '*'];
    const TYPES: [group: string, resource: string, subresource: string][] = [
      ['', 'pods', ''],
      ['', 'Pods', ''],
      ['', 'pods', 'log'],
      ['', 'pods', 'Log'],
      ['', 'pods', 'status'],
      ['example.com', 'widgets', ''],
      ['example.com', 'widgets', 'status'],
      ['nosuch.example', 'pods', ''],
      ['', 'deployment', ''],
      ['*', '*', ''],
    ];
    const NAMES_LITERAL = ['', 'web', 'a/b'];
    let literalNs: string;
    let users: UserInfo[];
    let policyFile: string;
    const figures: string[] = [];

    beforeAll(async () => {
      literalNs = await createNamespace(kc, 'e2e-literal');
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      const group = 'rbac.authorization.k8s.io';
      await rbac.createNamespacedRole({
        namespace: literalNs,
        body: { metadata: { name: 'literal' }, rules: literalRules },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: literalNs,
        body: {
          metadata: { name: 'literal' },
          roleRef: { apiGroup: group, kind: 'Role', name: 'literal' },
          subjects: [
            { apiGroup: group, kind: 'User', name: `literal-${literalNs}` },
            { kind: 'ServiceAccount', name: 'deployer', namespace: literalNs },
          ],
        },
      });
      await rbac.createClusterRole({
        body: { metadata: { name: `wild-${literalNs}` }, rules: wildRules },
      });
      await rbac.createClusterRoleBinding({
        body: {
          metadata: { name: `wild-${literalNs}` },
          roleRef: { apiGroup: group, kind: 'ClusterRole', name: `wild-${literalNs}` },
          subjects: [{ apiGroup: group, kind: 'User', name: `wild-${literalNs}` }],
        },
      });
      users = [
        { user: `literal-${literalNs}`, groups: ['system:authenticated'] },
        { user: `wild-${literalNs}`, groups: ['system:authenticated'] },
        {
          user: serviceAccountUser(literalNs, 'deployer'),
          groups: serviceAccountGroups(literalNs),
        },
      ];
      // The server's whole RBAC policy, as the offline authorizer and the CLI read it.
      const v = 'rbac.authorization.k8s.io/v1';
      const withKind = (items: object[], kind: string) =>
        items.map((i) => ({ ...i, apiVersion: v, kind }) as KubeObject);
      const objects = [
        ...withKind((await rbac.listClusterRole()).items, 'ClusterRole'),
        ...withKind((await rbac.listClusterRoleBinding()).items, 'ClusterRoleBinding'),
        ...withKind((await rbac.listRoleForAllNamespaces()).items, 'Role'),
        ...withKind((await rbac.listRoleBindingForAllNamespaces()).items, 'RoleBinding'),
      ];
      policyFile = join(dist, 'server-policy.json');
      writeFileSync(policyFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    });

    afterAll(() => {
      // The figures the issue note quotes.
      console.log(figures.join('\n'));
    });

    function literalRequests(): AccessRequest[] {
      const requests: AccessRequest[] = [];
      for (const verb of VERBS_LITERAL)
        for (const [apiGroup, resource, subresource] of TYPES)
          for (const name of NAMES_LITERAL)
            for (const namespace of [literalNs, '*', '', 'Shop', 'default'])
              requests.push({ verb, apiGroup, resource, subresource, name, namespace });
      for (const verb of ['get', 'GET', 'post', 'frobnicate', ''])
        for (const path of ['/healthz', '/Healthz', '/custom/x', '/custom', '/version'])
          requests.push({ verb, path });
      return requests;
    }

    test(
      'the offline authorizer agrees with SubjectAccessReview on every cell',
      async () => {
        const authorizer = new RbacAuthorizer(
          rbacPolicyFrom(JSON.parse(readFileSync(policyFile, 'utf8')).items),
        );
        const cells = users.flatMap((who) => literalRequests().map((req) => ({ who, req })));
        const results = await mapLimit(cells, 16, async ({ who, req }) => ({
          cell: `${who.user}: ${describeRequest(req)}`,
          offline: authorizer.authorize(who, req).allowed,
          server: await serverAllows(authz, who, req),
        }));
        const disagreements = results.filter((r) => r.offline !== r.server);
        const allowed = results.filter((r) => r.server).length;
        figures.push(
          `literal requests, offline authorizer vs SubjectAccessReview: ${results.length} cells, ${allowed} allowed, ${disagreements.length} disagreements`,
        );
        expect(disagreements).toEqual([]);
        // Not vacuous: each literal form is allowed somewhere and refused somewhere.
        expect(allowed).toBeGreaterThan(200);
        for (const verb of ['GET', 'get', 'frobnicate', '']) {
          const forVerb = results.filter((r) => r.cell.includes(`: ${verb} `));
          expect(new Set(forVerb.map((r) => r.server))).toEqual(new Set([true, false]));
        }
      },
      MATRIX_TIMEOUT_MS,
    );

    test(
      'the CLI accepts each of them (offline and from the cluster) and agrees with SubjectAccessReview',
      async () => {
        const requests = literalRequests().filter((_, i) => i % 7 === 0);
        const cells = users.flatMap((who) => requests.map((req) => ({ who, req })));
        const results = await mapLimit(cells, 4, async ({ who, req }) => {
          const args = ['can-i', req.verb];
          if ('path' in req) args.push(req.path);
          else {
            const type = req.apiGroup ? `${req.resource}.${req.apiGroup}` : req.resource;
            args.push(req.name ? `${type}/${req.name}` : type);
            args.push(...(req.namespace ? ['-n', req.namespace] : ['-A']));
            if (req.subresource) args.push('--subresource', req.subresource);
          }
          // A ServiceAccount user given no groups gets its groups, as the server's impersonation.
          args.push('--as', who.user, '-q');
          const offline = await runCli([...args, '--manifests', policyFile]);
          const cluster = await runCli([...args, '--kubeconfig', E2E_KUBECONFIG as string]);
          const server = await serverAllows(authz, who, req);
          return {
            cell: `${who.user}: ${describeRequest(req)}`,
            offline: offline.code,
            cluster: cluster.code,
            server,
          };
        });
        const expected = (r: { server: boolean }) => (r.server ? 0 : 1);
        const disagreements = results.filter(
          (r) => r.offline !== expected(r) || r.cluster !== expected(r),
        );
        figures.push(
          `literal requests through the CLI (every 7th, offline and cluster) vs SubjectAccessReview: ${results.length} cells, ${results.filter((r) => r.server).length} allowed, ${disagreements.length} disagreements`,
        );
        expect(disagreements).toEqual([]);
        expect(results.filter((r) => r.server).length).toBeGreaterThan(20);
      },
      MATRIX_TIMEOUT_MS,
    );
  });
});
