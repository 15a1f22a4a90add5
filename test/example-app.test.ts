import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildExampleApp } from '../examples/app.js';
import { lintManifests } from '../src/rbac/lint.js';
import type { KubeObject } from '../src/rbac/kube-object.js';
import { withoutRotatorProgram } from './rotator-program.js';
import { validateAgainstSchema } from './schema.js';
import { tempDir } from './temp-dir.js';

/** Synthesizes the example app into a fresh folder and returns its files' contents. */
function synthExample(): Map<string, string> {
  const outdir = tempDir('access-tokens-example-');
  const app = new App({ outdir });
  buildExampleApp(app);
  app.synth();
  return new Map(
    readdirSync(outdir)
      .sort()
      .map((f) => [f, readFileSync(join(outdir, f), 'utf8')]),
  );
}

function objectsOf(files: Map<string, string>): KubeObject[] {
  return [...files.values()].flatMap((text) =>
    parseAllDocuments(text).map((d) => d.toJSON() as KubeObject),
  );
}

/** Patterns of values that must never be synthesized. */
const SECRET_PATTERNS: [string, RegExp][] = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}/],
  ['a PEM key or certificate', /-----BEGIN [A-Z ]+-----/],
  ['a long base64 blob', /[A-Za-z0-9+/]{48,}={0,2}/],
  ['a bearer token', /bearer\s+[A-Za-z0-9._-]{20,}/i],
];

describe('the example app', () => {
  const files = synthExample();
  const objects = objectsOf(files);

  test('synthesizes the three accounts with their Roles and RoleBindings', () => {
    const names = (kind: string) =>
      objects
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata?.name)
        .sort();
    const accounts = ['backup', 'dashboard', 'deployer', 'exporter', 'exporter-token-rotator'];
    expect(names('ServiceAccount')).toEqual(accounts);
    expect(names('Role')).toEqual(accounts);
    expect(names('RoleBinding')).toEqual(accounts);
    expect(objects.every((o) => o.metadata?.namespace === 'shop')).toBe(true);
    // The deployer's and exporter's tokens go into empty managed Secrets; the dashboard's into a file.
    expect(names('Secret')).toEqual(['deployer-token', 'exporter-token']);
    // The exporter's token is rotated by a CronJob and minted on deploy by a Job.
    expect(names('CronJob')).toEqual(['exporter-token-rotation']);
    expect(names('Job')).toEqual(['exporter-token-mint']);
    const declared = objects
      .filter(
        (o) =>
          o.kind === 'ServiceAccount' && o.metadata?.annotations?.['access-tokens.cdk8s.io/token'],
      )
      .map((o) => o.metadata?.name)
      .sort();
    expect(declared).toEqual(['dashboard', 'deployer', 'exporter']);
    expect(
      objects
        .filter((o) => o.kind === 'ServiceAccount')
        .every((o) => o.automountServiceAccountToken === false),
    ).toBe(true);
  });

  test("runs the dashboard's Deployment as its account, with a projected token", () => {
    const [deployment] = objects.filter((o) => o.kind === 'Deployment');
    const spec = (deployment as { spec: { template: { spec: Record<string, unknown> } } }).spec
      .template.spec;
    expect(spec.serviceAccountName).toBe('dashboard');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(JSON.stringify(spec.volumes)).toContain('"serviceAccountToken"');
    expect(lintManifests(objects).findings.filter((f) => f.id === 'automounted-token')).toEqual([]);
  });

  test('is byte-identical on every synth', () => {
    expect(synthExample()).toEqual(files);
  });

  test('contains no token, key or secret value', () => {
    for (const [file, text] of files) {
      // (the rotator's program and its hash, exactly as built, are no secret: cut out)
      const scanned = withoutRotatorProgram(text);
      expect(scanned.length).toBeGreaterThan(0);
      for (const [what, pattern] of SECRET_PATTERNS) {
        expect({ file, what, found: pattern.exec(scanned)?.[0] }).toEqual({
          file,
          what,
          found: undefined,
        });
      }
    }
    for (const secret of objects.filter((o) => o.kind === 'Secret')) {
      expect(secret.data ?? {}).toEqual({});
      expect(secret.stringData ?? {}).toEqual({});
    }
  });

  test('every object validates against the upstream Kubernetes schema', async () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const obj of objects) await validateAgainstSchema(obj);
  });

  test('the schema check does reject a malformed object', async () => {
    const role = objects.find((o) => o.kind === 'Role')!;
    await expect(validateAgainstSchema({ ...role, rules: [{ verbs: 'get' }] })).rejects.toThrow(
      /verbs must be array/,
    );
  });

  test('lints clean: the only risk is acknowledged, with its reason', () => {
    const report = lintManifests(objects);
    expect(report.errors).toEqual([]);
    const acknowledged = report.findings.filter((f) => f.acknowledgedReason);
    expect(acknowledged.map((f) => [f.id, f.location?.name])).toEqual([
      ['secrets-read', 'backup'],
      ['token-create', 'exporter-token-rotator'],
      ['secrets-read', 'exporter-token-rotator'],
    ]);
  });
});
