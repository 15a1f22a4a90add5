/**
 * The public surface is what we decided it is: each entry point exports exactly the names
 * listed here, by name, from the part of the package it speaks for, and no internal helper.
 * An accidental export (a helper made `export` for a test, an `export *` that grows) fails
 * here; a deliberate one adds its name to the list below, documented (public-api-docs.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { strictProgram } from './ts-program.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each entry point (as package.json's `exports` maps it), the folders it may export from, and its names. */
const ENTRY_POINTS = {
  // `cdk8s-access-tokens`: the constructs and what their props and results carry.
  'src/index.ts': {
    from: ['constructs/', 'rbac/', 'contract/', 'validation/'],
    names: [
      'AUDIT_POLICY_CONFIGMAP_KEY',
      'AttachOptions',
      'AuditLogOptions',
      'AuditPolicyConfigMapOptions',
      'AuditedServiceAccount',
      'CanIRequestOptions',
      'DEFAULT_ROTATOR_IMAGE',
      'Finding',
      'FindingLocation',
      'IWorkload',
      'LeastPrivilegeValidation',
      'LeastPrivilegeValidationProps',
      'ManagedTokenSecret',
      'ManagedTokenSecretProps',
      'MountTokenOptions',
      'Permission',
      'PermissionResource',
      'PermissionRuleProps',
      'PolicyRule',
      'Risk',
      'RiskAcknowledgement',
      'RiskHolder',
      'RiskId',
      'RotationSchedule',
      'ServiceAccountAccess',
      'ServiceAccountAccessProps',
      'Severity',
      'TOKEN_DECLARATION_ANNOTATION',
      'TOKEN_DECLARATION_VERSION',
      'TokenAudience',
      'TokenAuditPolicy',
      'TokenAuditPolicyProps',
      'TokenDeclaration',
      'TokenProps',
      'TokenRotation',
      'TokenRotationDeclaration',
      'TokenRotationProps',
      'TokenRotationSettings',
      'TokenStore',
      'TokenStoreDeclaration',
      'ValidationAcknowledgement',
      'ValidationContextLike',
      'WorkloadContainer',
      'WorkloadServiceAccount',
      'WorkloadVolume',
      'WorkloadVolumeMount',
      'checkRotationSchedule',
      'deriveRotationSchedule',
    ],
  },
  // `cdk8s-access-tokens/rbac`: the engine's queries.
  'src/rbac/index.ts': {
    from: ['rbac/'],
    names: [
      'ACKNOWLEDGED_RISKS_ANNOTATION',
      'AUDIT_LEVELS',
      'AUDIT_STAGES',
      'AccessRequest',
      'AcknowledgementProblem',
      'AuditEventFields',
      'AuditGroupResources',
      'AuditLevel',
      'AuditPolicy',
      'AuditPolicyCheck',
      'AuditPolicyCheckOptions',
      'AuditPolicyRule',
      'AuditRequestAttributes',
      'AuditResourceAttributes',
      'AuditStage',
      'AuditUsage',
      'AuditUsageOptions',
      'AuditUsageReport',
      'BindingObject',
      'Decision',
      'Finding',
      'FindingLocation',
      'IdentityUsage',
      'KNOWN_VERBS',
      'KubeObject',
      'LabelSelector',
      'LintOptions',
      'LintReport',
      'MIN_REASON_LENGTH',
      'ManifestFailure',
      'ManifestPosition',
      'ManifestSet',
      'ManifestSkip',
      'NonResourceRequest',
      'ObservedRequest',
      'ObservedRules',
      'ObservedRulesOptions',
      'PolicyRule',
      'PositionLookup',
      'RISK_RULES',
      'RbacAuthorizer',
      'RbacPolicySet',
      'RequestUsage',
      'ResourceRequest',
      'Risk',
      'RiskAcknowledgement',
      'RiskHolder',
      'RiskId',
      'RiskRuleInfo',
      'RiskyRequest',
      'RoleObject',
      'RoleRef',
      'ServiceAccountDrift',
      'Severity',
      'SourceLookup',
      'Subject',
      'TokenMinting',
      'TokenUse',
      'UnusedGrant',
      'UserInfo',
      'WhoCanEntry',
      'auditDrift',
      'auditLevelOf',
      'checkAuditPolicy',
      'compactRules',
      'formatFindings',
      'lintManifests',
      'lintRules',
      'observedPermissionCode',
      'observedRoleManifests',
      'parseManifests',
      'rbacPolicyFrom',
      'rulesAllow',
      'rulesFromUsage',
      'serviceAccountGroups',
      'serviceAccountUser',
      'validateAuditPolicy',
    ],
  },
  // `cdk8s-access-tokens/runtime`: the operations on a cluster.
  'src/runtime/index.ts': {
    // The access-request model and its parser are rbac's: canI takes them.
    from: ['runtime/', 'contract/', 'rbac/'],
    names: [
      'AccessAnswer',
      'AccessQueryOptions',
      'AccessRequest',
      'AccessTokensError',
      'AnalyzeAuditLogOptions',
      'ApiAction',
      'AskAs',
      'AuditLogAnalysis',
      'BindingSummary',
      'BoundObject',
      'CanIOptions',
      'ClusterClient',
      'ClusterOptions',
      'DEFAULT_RETRY_POLICY',
      'DeclaredMintResult',
      'DeclaredRotationResult',
      'DeclaredToken',
      'DescribeOptions',
      'ErrorCategory',
      'KubeCluster',
      'KubeContext',
      'KubeUser',
      'KubeconfigData',
      'KubeconfigOptions',
      'MalformedLine',
      'ManifestFailure',
      'ManifestPosition',
      'ManifestSet',
      'ManifestSkip',
      'MintAndStoreOptions',
      'MintDeclaredOptions',
      'MintOptions',
      'MintedAndStored',
      'MintedToken',
      'NonResourceRequest',
      'ReadObjectMeta',
      'ResourceRequest',
      'RetryPolicy',
      'RetryStats',
      'ReviewOptions',
      'RevokeOptions',
      'RevokeResult',
      'RotateDeclaredOptions',
      'RotateOptions',
      'RotationResult',
      'RuntimeLogger',
      'SecretObject',
      'ServiceAccountClaims',
      'ServiceAccountDescription',
      'StoredToken',
      'StoredTokenSummary',
      'TokenDeclaration',
      'TokenDestination',
      'TokenInspection',
      'TokenReviewResult',
      'TokenRotationDeclaration',
      'TokenStoreDeclaration',
      'TokenSubject',
      'analyzeAuditLog',
      'canI',
      'connect',
      'declaredRotations',
      'describeServiceAccount',
      'findDeclaredTokens',
      'inspectToken',
      'mintAndStore',
      'mintDeclaredTokens',
      'mintToken',
      'parseAccessQuery',
      'readManifests',
      'reviewToken',
      'revoke',
      'rotateDeclaredTokens',
      'rotateToken',
      'storeToken',
    ],
  },
} as const;

/** Helpers that once leaked through `export *` chains (issue 8): never public. */
const INTERNAL_HELPERS = [
  'resolveResource',
  'tokenDeclarationOf',
  'renderTokenDeclaration',
  'findingOf',
  'podSpecOf',
  'readManifestPaths',
  'sanitizeRule',
  'POLICY_RULE_CHECKS',
  'OBJECT_CHECKS',
  'secretsRead',
  'wildcardVerbs',
  'redactSecrets',
  'registerSecret',
  'withRetry',
  'explainForbidden',
  'permissionFor',
  'writeFileAtomic',
];

interface Export {
  readonly name: string;
  /** The file that declares it, relative to src/. */
  readonly declaredIn: string;
}

function exportsOf(): Record<string, Export[]> {
  const entries = Object.keys(ENTRY_POINTS);
  const program = strictProgram(entries.map((entry) => join(root, entry)));
  const checker = program.getTypeChecker();
  const result: Record<string, Export[]> = {};
  for (const entry of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(root, entry))!)!;
    result[entry] = checker.getExportsOfModule(module).map((exported) => {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
      return { name: exported.name, declaredIn: file.slice(join(root, 'src').length + 1) };
    });
  }
  return result;
}

describe('public API surface', () => {
  // GIVEN the three entry points, WHEN their exports are listed (one program, a few seconds)
  let exported: Record<string, Export[]> = {};
  beforeAll(() => {
    exported = exportsOf();
  });

  test.each(Object.keys(ENTRY_POINTS))('%s exports exactly its listed names', (entry) => {
    // THEN the names are the decided ones: a new or a lost export fails here
    const names = exported[entry].map((e) => e.name).sort();
    expect(names).toEqual([...ENTRY_POINTS[entry as keyof typeof ENTRY_POINTS].names].sort());
  });

  test.each(Object.keys(ENTRY_POINTS))(
    '%s exports only from its own parts, never an internal file or helper',
    (entry) => {
      const { from } = ENTRY_POINTS[entry as keyof typeof ENTRY_POINTS];
      for (const { name, declaredIn } of exported[entry]) {
        // THEN each name is declared in a folder this entry point speaks for (the constructs'
        // entry never reaches runtime/ or cli/, so it stays loadable without client-node) ...
        expect(`${name} <- ${declaredIn}`).toMatch(new RegExp(` <- (${from.join('|')})`));
        // ... in no private file (`_name.ts`, `private/`) ...
        expect(`${name} <- ${declaredIn}`).not.toMatch(/(^|\/)(_|private\/)/);
        // ... and is no known internal helper
        expect(INTERNAL_HELPERS).not.toContain(name);
      }
    },
  );

  test.each(Object.keys(ENTRY_POINTS))('%s lists its exports by name (no export *)', (entry) => {
    const text = readFileSync(join(root, entry), 'utf8');
    expect(text).not.toMatch(/export\s*\*/);
  });

  test('the walk sees values and types (a check that lists nothing would pass too)', () => {
    expect(exported['src/index.ts']).toEqual(
      expect.arrayContaining([
        { name: 'ServiceAccountAccess', declaredIn: 'constructs/service-account-access.ts' },
        { name: 'TokenDeclaration', declaredIn: 'contract/token-declaration.ts' },
      ]),
    );
  });
});
