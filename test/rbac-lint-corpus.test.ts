import { join } from 'node:path';
import type { Finding } from '../src/rbac/finding.js';
import { lintManifests, type LintReport } from '../src/rbac/lint.js';
import { readManifestPaths } from '../src/rbac/manifest-reader.js';
import { Risk } from '../src/rbac/risks/index.js';

// The lint over the RBAC of 12 real projects (../shared/corpora/real-world-rbac, unchanged):
// each new or changed rule at the exact object and rule index, and silence where the grant is
// legitimate. The expectations were read off the manifests by hand.

const CORPUS = new URL('../../shared/corpora/real-world-rbac/', import.meta.url).pathname;

async function lintProject(file: string, options = {}): Promise<LintReport> {
  const { objects, sources, positions } = await readManifestPaths([join(CORPUS, file)]);
  return lintManifests(objects, { sources, positions, ...options });
}

/** `id Kind/name#ruleIndex severity` for the findings on one object (or of one id). */
function at(report: LintReport, filter: (f: Finding) => boolean): string[] {
  return report.findings
    .filter(filter)
    .map(
      (f) =>
        `${f.id} ${f.location?.kind}/${f.location?.name}#${f.location?.ruleIndex ?? '-'} ${f.severity}`,
    );
}
const on = (name: string) => (f: Finding) => f.location?.name === name;
const of = (id: string) => (f: Finding) => f.id === id;

describe('new risk rules on real manifests', () => {
  test('cluster-autoscaler: node-steering at the nodes rule, held by its ServiceAccount cluster-wide', async () => {
    // GIVEN cluster-autoscaler's ClusterRole: rules[4] updates nodes, rules[3] creates pods/eviction
    const report = await lintProject('cluster-autoscaler.yaml');
    const [finding] = report.findings.filter(of(Risk.NODE_STEERING));
    expect(at(report, of(Risk.NODE_STEERING))).toEqual([
      'node-steering ClusterRole/cluster-autoscaler#4 error',
    ]);
    expect(finding.message).toBe('grants update on nodes together with create on pods/eviction');
    // THEN who holds it: the ServiceAccount, cluster-wide, through the ClusterRoleBinding
    expect(finding.holders).toEqual([
      {
        subject: { kind: 'ServiceAccount', name: 'cluster-autoscaler', namespace: 'kube-system' },
        namespace: '',
        binding: { kind: 'ClusterRoleBinding', name: 'cluster-autoscaler', namespace: '' },
      },
    ]);
    // AND its pods/status update is status-write at rules[2]
    expect(at(report, of(Risk.STATUS_WRITE))).toEqual([
      'status-write ClusterRole/cluster-autoscaler#2 error',
    ]);
  });

  test('istio: writing configmaps in every namespace, and services/status', async () => {
    const report = await lintProject('istio.yaml');
    expect(at(report, of(Risk.CONFIGMAPS_WRITE_CLUSTER_WIDE))).toEqual([
      'configmaps-write-cluster-wide ClusterRole/istiod-clusterrole-istio-system#12 error',
    ]);
    expect(at(report, of(Risk.STATUS_WRITE))).toEqual([
      'status-write ClusterRole/istiod-clusterrole-istio-system#6 error',
    ]);
    // istiod's own Role writes configmaps in istio-system only: not cluster-wide
    expect(at(report, (f) => f.location?.kind === 'Role' && f.id.includes('configmaps'))).toEqual(
      [],
    );
  });

  test('calico: status-write on services/status, nodes/status and pods/status; CRD and APIService writes', async () => {
    const report = await lintProject('calico.yaml');
    expect(at(report, of(Risk.STATUS_WRITE)).sort()).toEqual(
      [
        'status-write ClusterRole/calico-cni-plugin#1 error',
        'status-write ClusterRole/calico-kube-controllers#3 error',
        'status-write ClusterRole/calico-node#5 error',
        'status-write ClusterRole/calico-node#9 error',
      ].sort(),
    );
    expect(at(report, of(Risk.CRD_WRITE))).toEqual([
      'crd-write ClusterRole/calico-kube-controllers#14 error',
    ]);
    expect(at(report, of(Risk.APISERVICE_WRITE))).toEqual([
      'apiservice-write ClusterRole/calico-kube-controllers#15 error',
    ]);
  });

  test('cert-manager: the CA injector writes CRDs and APIServices; issuers create secrets', async () => {
    const report = await lintProject('cert-manager.yaml');
    expect(
      at(report, on('cert-manager-cainjector')).filter((s) => /crd|apiservice/.test(s)),
    ).toEqual([
      'apiservice-write ClusterRole/cert-manager-cainjector#4 error',
      'crd-write ClusterRole/cert-manager-cainjector#5 error',
    ]);
    expect(at(report, of(Risk.SECRETS_WRITE))).toContain(
      'secrets-write ClusterRole/cert-manager-controller-certificates#4 error',
    );
  });

  test('ingress-nginx: the admission job creating its webhook secret is secrets-write', async () => {
    const report = await lintProject('ingress-nginx.yaml');
    expect(at(report, of(Risk.SECRETS_WRITE))).toEqual([
      'secrets-write Role/ingress-nginx-admission#0 error',
    ]);
  });

  test('kubernetes-dashboard: proxy to its named services is reported naming them', async () => {
    const report = await lintProject('kubernetes-dashboard.yaml');
    const [finding] = report.findings.filter(of(Risk.PROXY_SUBRESOURCE));
    expect(at(report, of(Risk.PROXY_SUBRESOURCE))).toEqual([
      'proxy-subresource Role/kubernetes-dashboard#3 error',
    ]);
    expect(finding.message).toMatch(/^grants get on services\/proxy named 'heapster'/);
  });

  test("argo-cd: the application controller's '*'/'*'/'*' is one cluster-admin finding", async () => {
    const report = await lintProject('argo-cd.yaml');
    expect(
      at(
        report,
        (f) =>
          on('argocd-application-controller')(f) &&
          f.location?.kind === 'ClusterRole' &&
          f.location?.ruleIndex === 0,
      ),
    ).toEqual([
      'cluster-admin-equivalent ClusterRole/argocd-application-controller#0 error',
      // role-level rules see the role as a whole: '*' includes these too
      'node-steering ClusterRole/argocd-application-controller#0 error',
      'configmaps-write-cluster-wide ClusterRole/argocd-application-controller#0 error',
      'pods-delete-cluster-wide ClusterRole/argocd-application-controller#0 warning',
    ]);
  });

  test("flux: a typo'd status subresource is unknown-resource; its own '*' read-only groups are warnings", async () => {
    const report = await lintProject('flux.yaml');
    expect(at(report, of(Risk.UNKNOWN_RESOURCE))).toEqual([
      'unknown-resource ClusterRole/crd-controller#9 warning',
    ]);
    expect(report.findings.find(of(Risk.UNKNOWN_RESOURCE))?.message).toMatch(
      /'configmaps' has no subresource 'status'/,
    );
    // flux-view: get, list, watch on '*' of Flux's own groups
    expect(at(report, on('flux-view'))).toEqual([
      'wildcard-resources ClusterRole/flux-view#0 warning',
    ]);
    // and cluster-admin, bound cluster-wide, is reported once, by builtin-admin-role
    expect(at(report, on('cluster-reconciler'))).toEqual([
      'builtin-admin-role ClusterRoleBinding/cluster-reconciler#- error',
    ]);
  });
});

describe('changed findings on real manifests', () => {
  test("bindings to Kubernetes' bootstrap roles resolve: no unresolved-role in any project", async () => {
    // GIVEN metrics-server and kube-prometheus bind system:auth-delegator and
    // extension-apiserver-authentication-reader, which Kubernetes creates itself
    for (const file of ['metrics-server.yaml', 'kube-prometheus.yaml']) {
      const report = await lintProject(file);
      expect(at(report, of(Risk.UNRESOLVED_ROLE))).toEqual([]);
      // WHEN the bootstrap roles are left out THEN they are unresolved again
      const without = await lintProject(file, { builtinRoles: false });
      expect(at(without, of(Risk.UNRESOLVED_ROLE)).length).toBeGreaterThan(0);
    }
  });

  test('cluster-wide-grant only where a RoleBinding could do the job, as a warning', async () => {
    // GIVEN metrics-server's ClusterRoleBindings: one of system:metrics-server (nodes/metrics,
    // pods, nodes) and one of system:auth-delegator (tokenreviews, subjectaccessreviews:
    // cluster-scoped create only)
    const report = await lintProject('metrics-server.yaml');
    const names = report.findings.filter(of(Risk.CLUSTER_WIDE_GRANT)).map((f) => f.location?.name);
    expect(names).toEqual(['system:metrics-server']);
    expect(report.findings.filter(of(Risk.CLUSTER_WIDE_GRANT))[0].severity).toBe('warning');
  });

  test('legitimate grants stay silent: leader election, events, auth delegation', async () => {
    const report = await lintProject('metrics-server.yaml');
    expect(report.errors).toEqual([]);
    const ksm = await lintProject('kube-state-metrics.yaml');
    // kube-state-metrics reads secrets (an error of its own rule) and nothing else fails
    expect([...new Set(ksm.errors.map((f) => f.id))]).toEqual([Risk.SECRETS_READ]);
  });

  test('findings carry the file, line and document index of their object', async () => {
    const report = await lintProject('cluster-autoscaler.yaml');
    const finding = report.findings.find(of(Risk.NODE_STEERING))!;
    expect(finding.location?.source).toBe(join(CORPUS, 'cluster-autoscaler.yaml'));
    expect(finding.location?.line).toBeGreaterThan(1);
    expect(finding.location?.documentIndex).toBeGreaterThanOrEqual(0);
  });
});
