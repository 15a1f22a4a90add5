/**
 * The audit features against a real kube-apiserver started, by this file, with the Policy
 * that TokenAuditPolicy synthesizes as its --audit-policy-file (the server refuses to start
 * with an invalid policy). A ServiceAccount then runs a scripted session; its real audit log
 * is turned into rules, a drift report and a token-safety check.
 *
 * Needs E2E_KUBECONFIG (it marks an e2e run) and the kube-apiserver tools. Ports come from
 * E2E_AUDIT_PORT, E2E_AUDIT_ETCD_PORT (and +1 for etcd's peer port), else free ones.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Chart } from 'cdk8s';
import * as k8s from '@kubernetes/client-node';
import { load, loadAll } from 'js-yaml';
import { Permission, ServiceAccountAccess, TokenAuditPolicy } from '../../src/index.js';
import { auditDrift } from '../../src/rbac/audit-drift.js';
import { rulesFromUsage } from '../../src/rbac/audit-rules.js';
import {
  RbacAuthorizer,
  serviceAccountGroups,
  serviceAccountUser,
} from '../../src/rbac/authorizer.js';
import { rbacPolicyFrom, type KubeObject } from '../../src/rbac/kube-object.js';
import { formatRule } from '../../src/rbac/lint.js';
import type { AccessRequest } from '../../src/rbac/policy-rule.js';
import { analyzeAuditLog } from '../../src/runtime/audit/analyze.js';
import { AuditEventScanner } from '../../src/runtime/audit/event-scan.js';
import { auditEventProblem, observedRequestOf } from '../../src/rbac/audit-event.js';
import { mintToken } from '../../src/runtime/mint.js';
import { checkAuditPolicy } from '../../src/rbac/audit-policy-check.js';
import { describeE2E, uniqueNamespace } from './cluster.js';
import { tempDir } from '../temp-dir.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const tools =
  process.env.E2E_KUBE_APISERVER_TOOLS ?? join(root, '..', 'shared', 'tools', 'kube-apiserver');

/** `n` distinct free ports: each is held until all are found, so none is handed out twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

interface Server {
  dir: string;
  kubeconfig: string;
  auditLog: string;
  url: string;
  ca: Buffer;
}

/** One HTTPS request with a bearer token; resolves to the status code and body. */
function call(
  server: Server,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = httpsRequest(
      url,
      {
        method,
        ca: server.ca,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body
            ? {
                'content-type':
                  method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
              }
            : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

describeE2E('audit: a real server with the synthesized policy', () => {
  const namespace = uniqueNamespace('audit');
  const user = serviceAccountUser(namespace, 'deployer');
  const secretValue = `s3cr3t-${namespace}-value`;
  let server: Server;
  let appObjects: KubeObject[];
  let policyFile: string;
  let token: string;
  let refused: number[];

  beforeAll(async () => {
    // GIVEN an app with a deliberately over-granted ServiceAccount, and the audit policy chart
    const outdir = tempDir('audit-e2e-dist-');
    const app = new App({ outdir });
    const chart = new Chart(app, 'app', { namespace });
    new ServiceAccountAccess(chart, 'deployer', {
      permissions: [
        Permission.read('pods'),
        Permission.verbs(['get', 'patch'], 'configmaps', 'cfg'),
        // never used in the session below: drift must list exactly these two
        Permission.verbs(['delete'], 'secrets'),
        Permission.verbs(['get'], 'deployments.apps'),
      ],
    });
    new TokenAuditPolicy(app, 'audit-policy');
    app.synth();
    policyFile = join(outdir, 'audit-policy.k8s.yaml');
    appObjects = loadAll(readFileSync(join(outdir, 'app.k8s.yaml'), 'utf8')) as KubeObject[];

    // The server starts with it (start.sh fails, showing the server's log, if it refuses it).
    // Each port free on its own: the one after a free port may be in use (it was, once in CI).
    const free = await freePorts(3);
    const port = Number(process.env.E2E_AUDIT_PORT ?? free[0]);
    const etcdPort = Number(process.env.E2E_AUDIT_ETCD_PORT ?? free[1]);
    const peerPort = process.env.E2E_AUDIT_ETCD_PORT ? etcdPort + 1 : free[2];
    const dir = join(tempDir('audit-e2e-'), 'kas');
    execFileSync(
      join(tools, 'start.sh'),
      [
        '--dir',
        dir,
        '--port',
        String(port),
        '--etcd-port',
        String(etcdPort),
        '--etcd-peer-port',
        String(peerPort),
        '--audit-policy',
        policyFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 150_000 },
    );
    const env = Object.fromEntries(
      readFileSync(join(dir, 'env'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    server = {
      dir,
      kubeconfig: env.E2E_KUBECONFIG,
      auditLog: env.E2E_AUDIT_LOG,
      url: env.E2E_SERVER_URL,
      ca: readFileSync(env.E2E_CA_FILE),
    };

    // Admin: namespace, the app's objects, a ConfigMap and a Secret with a recognisable value.
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    await kc
      .makeApiClient(k8s.CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const o of appObjects) await objects.create(o as k8s.KubernetesObject);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg' }, data: { key: 'v' } },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'db' }, stringData: { password: secretValue } },
    });

    // WHEN a token is minted through the runtime and the ServiceAccount runs its session
    const minted = await mintToken({
      kubeconfig: server.kubeconfig,
      namespace,
      serviceAccount: 'deployer',
      durationSeconds: 600,
    });
    token = minted.token;
    const ns = `/api/v1/namespaces/${namespace}`;
    const session: [string, string, unknown?][] = [
      ['GET', `${ns}/pods/web`], // 404, but allowed
      ['GET', `${ns}/pods`],
      ['GET', `${ns}/pods?watch=1&timeoutSeconds=1`],
      ['GET', `${ns}/configmaps/cfg`],
      ['PATCH', `${ns}/configmaps/cfg`, { data: { key: 'w' } }],
      [
        'POST',
        `${ns}/pods`,
        { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      ], // 403
      ['GET', `${ns}/secrets/db`], // 403
    ];
    for (const [method, path, body] of session) await call(server, token, method, path, body);
    // an admin acting as the ServiceAccount: recorded as impersonatedUser, counted as the ServiceAccount's
    const adminToken = (
      load(readFileSync(server.kubeconfig, 'utf8')) as { users: { user: { token: string } }[] }
    ).users[0].user.token;
    await call(server, adminToken, 'GET', `${ns}/pods`, undefined, { 'Impersonate-User': user });
    // someone without a valid token: refused by authentication (401), recorded with "user":{}
    const invalid = `${token.slice(0, -8)}AAAAAAAA`; // the token with its signature altered
    refused = [
      await call(server, invalid, 'POST', `${ns}/serviceaccounts/deployer/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {},
      }),
      // a grant the ServiceAccount never uses: drift must still list it as unused
      await call(server, invalid, 'DELETE', `${ns}/secrets/db`),
      await call(server, 'not-a-token', 'GET', `${ns}/pods`, undefined, {
        'X-Forwarded-For': '203.0.113.7',
      }),
    ].map((r) => r.code);
    // the log backend writes before the response returns; a short pause for the watch's last stage
    await new Promise((r) => setTimeout(r, 1500));
  }, 240_000);

  afterAll(() => {
    if (server?.dir)
      execFileSync(join(tools, 'stop.sh'), ['--dir', server.dir, '--clean'], { stdio: 'ignore' });
  });

  test('the synthesized policy passes the audit-policy check', () => {
    expect(checkAuditPolicy(load(readFileSync(policyFile, 'utf8')))).toEqual([]);
  });

  test('minting left TokenRequest events at Metadata, and no token or Secret value is anywhere in the log', () => {
    const text = readFileSync(server.auditLog, 'utf8');
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const mints = events.filter(
      (e) => e.objectRef?.resource === 'serviceaccounts' && e.objectRef?.subresource === 'token',
    );
    expect(mints.length).toBeGreaterThanOrEqual(1);
    for (const e of mints) {
      expect(e.level).toBe('Metadata');
      expect(e.requestObject).toBeUndefined();
      expect(e.responseObject).toBeUndefined();
    }
    expect(events.some((e) => e.stage === 'RequestReceived')).toBe(false);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(text).not.toContain(secretValue);
    expect(text).not.toContain(Buffer.from(secretValue).toString('base64'));
    // RBAC objects were recorded with their bodies (the policy's RequestResponse rule)
    expect(
      events.some(
        (e) =>
          e.objectRef?.resource === 'roles' && e.level === 'RequestResponse' && e.requestObject,
      ),
    ).toBe(true);
  });

  test("the scanner reads every line of the server's log itself, as JSON.parse reads it", () => {
    // GIVEN the real log: bodies of RBAC objects at RequestResponse, Go's escapes (\u003c, ...)
    const lines = readFileSync(server.auditLog)
      .toString('latin1')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => Buffer.from(l, 'latin1'));
    const scanner = new AuditEventScanner();
    // WHEN
    const read = lines.map((line) => {
      const buf = Buffer.concat([line, Buffer.from('\n')]);
      if (!scanner.scan(buf, 0, line.length)) return undefined;
      return { stage: scanner.stage, auditId: scanner.auditId(), request: scanner.request() };
    });
    // THEN only the events of refused credentials (no user name) are left to JSON.parse, and
    // each other one reads as JSON.parse reads it
    const parsed = lines.map((line) => {
      const event = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
      expect(auditEventProblem(event)).toBeUndefined();
      return { stage: event.stage, auditId: event.auditID, request: observedRequestOf(event) };
    });
    expect(read.flatMap((r, i) => (r === undefined ? [parsed[i].request.identity] : []))).toEqual(
      refused.map(() => ''),
    );
    expect(read.filter((r) => r !== undefined)).toEqual(
      parsed.filter((p) => p.request.identity !== ''),
    );
    expect(lines.length).toBeGreaterThan(20);
  });

  test('audit rules: the generated rules allow every observed request and deny the unobserved ones', async () => {
    // WHEN
    const analysis = await analyzeAuditLog([server.auditLog]);
    const observed = rulesFromUsage(analysis.usage.filter((u) => u.identity === user));
    const authorizer = new RbacAuthorizer(
      rbacPolicyFrom(
        observed.flatMap((o) => [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: o.namespace ? 'Role' : 'ClusterRole',
            metadata: { name: 'observed', ...(o.namespace ? { namespace: o.namespace } : {}) },
            rules: o.rules,
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: o.namespace ? 'RoleBinding' : 'ClusterRoleBinding',
            metadata: { name: 'observed', ...(o.namespace ? { namespace: o.namespace } : {}) },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: o.namespace ? 'Role' : 'ClusterRole',
              name: 'observed',
            },
            subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace }],
          },
        ]),
      ),
    );
    const who = { user, groups: serviceAccountGroups(namespace) };
    const req = (verb: string, resource: string, name = '', apiGroup = ''): AccessRequest => ({
      verb,
      apiGroup,
      resource,
      namespace,
      name,
    });
    // THEN
    for (const r of [
      req('get', 'pods', 'web'),
      req('list', 'pods'),
      req('watch', 'pods'),
      req('get', 'configmaps', 'cfg'),
      req('patch', 'configmaps', 'cfg'),
    ])
      expect([r, authorizer.authorize(who, r).allowed]).toEqual([r, true]);
    for (const r of [
      req('get', 'pods', 'other'),
      req('delete', 'pods', 'web'),
      req('create', 'pods'),
      req('get', 'secrets', 'db'),
      req('delete', 'secrets', 'db'),
      req('get', 'configmaps', 'other'),
      req('update', 'configmaps', 'cfg'),
      req('get', 'deployments', 'web', 'apps'),
      { ...req('list', 'pods'), namespace: 'default' },
    ])
      expect([r, authorizer.authorize(who, r).allowed]).toEqual([r, false]);
    // the watch counted once, the impersonated list with the ServiceAccount's
    const mine = analysis.usage.filter((u) => u.identity === user);
    expect(mine.find((u) => u.verb === 'watch')?.count).toBe(1);
    expect(mine.find((u) => u.verb === 'list' && u.resource === 'pods')).toMatchObject({
      count: 2,
      impersonatedBy: ['admin'],
    });
    expect(analysis.malformed).toBe(0);
  });

  test('audit drift lists exactly the deliberately unused grants, and the 403s', async () => {
    const analysis = await analyzeAuditLog([server.auditLog]);
    const [drift] = auditDrift(
      rbacPolicyFrom(appObjects),
      [`${namespace}/deployer`],
      analysis.usage,
    );
    expect(drift.unused.map((u) => formatRule(u.grant)).sort()).toEqual([
      'verbs=[delete] apiGroups=[""] resources=[secrets]',
      'verbs=[get] apiGroups=[apps] resources=[deployments]',
    ]);
    expect(drift.denied.map((d) => `${d.verb} ${d.resource}`).sort()).toEqual([
      'create pods',
      'get secrets',
    ]);
  });

  test("requests with refused credentials are audit events: reported apart with their source IPs, never as anyone's use", async () => {
    // GIVEN the server refused them (authentication, not authorization)
    expect(refused).toEqual([401, 401, 401]);
    // WHEN
    const analysis = await analyzeAuditLog([server.auditLog]);
    // THEN no line was skipped, and the refused requests are in the report's own list
    expect([analysis.malformed, analysis.malformedLines]).toEqual([0, []]);
    const ns = (u: { namespace: string }) => u.namespace === namespace;
    expect(
      analysis.report.unauthenticated.filter(ns).map((u) => ({
        request: `${u.verb} ${u.resource}${u.subresource ? `/${u.subresource}` : ''} ${u.names.join(',')}`,
        codes: u.codes,
        allowed: u.allowed,
        sourceIps: u.sourceIps,
      })),
    ).toEqual([
      {
        request: 'list pods ',
        codes: { 401: 1 },
        allowed: false,
        sourceIps: ['127.0.0.1', '203.0.113.7'],
      },
      { request: 'delete secrets db', codes: { 401: 1 }, allowed: false, sourceIps: ['127.0.0.1'] },
      {
        request: 'create serviceaccounts/token deployer',
        codes: { 401: 1 },
        allowed: false,
        sourceIps: ['127.0.0.1'],
      },
    ]);
    // attributed to no identity: not in the usage that rules and drift read, not minting
    expect(analysis.usage.some((u) => u.identity === '')).toBe(false);
    expect(analysis.report.identities.some((i) => i.identity === '')).toBe(false);
    expect(analysis.report.minting.some((m) => m.minter === '')).toBe(false);
  });

  test('the report names the minting: who minted a token for the ServiceAccount', async () => {
    const analysis = await analyzeAuditLog([server.auditLog]);
    expect(analysis.report.minting).toEqual([
      expect.objectContaining({
        minter: 'admin',
        serviceAccount: `${namespace}/deployer`,
        minted: 1,
        failed: 0,
      }),
    ]);
  });
});
