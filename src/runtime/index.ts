/**
 * `cdk8s-access-tokens/runtime`: mint, store, inspect, review, check and revoke
 * ServiceAccount tokens against an API server, describe a ServiceAccount, and mint every token
 * declared in synthesized manifests. Names are listed one by one: adding one is a decision
 * (test/public-api-surface.test.ts pins the list); helpers stay internal.
 */
// Connecting, and what every function's failures and logs look like.
export { connect, ClusterClient, type ClusterOptions } from './cluster.js';
export type { KubeconfigOptions } from './kubeconfig.js';
export type { KubeCluster, KubeContext, KubeUser, KubeconfigData } from './kubeconfig-model.js';
export type { ReadObjectMeta, SecretObject } from './read-objects.js';
export type { ApiAction } from './api-action.js';
export { AccessTokensError, type ErrorCategory } from './errors.js';
export type { RuntimeLogger } from './logger.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy, type RetryStats } from './retry.js';
// Tokens.
export { mintToken, type BoundObject, type MintOptions, type MintedToken } from './mint.js';
export { storeToken, type StoredToken, type TokenDestination } from './store.js';
export { inspectToken, type TokenInspection } from './inspect.js';
export type { ServiceAccountClaims, TokenSubject } from './jwt.js';
export { mintAndStore, type MintAndStoreOptions, type MintedAndStored } from './mint-and-store.js';
export { reviewToken, type ReviewOptions, type TokenReviewResult } from './review.js';
export { revoke, type RevokeOptions, type RevokeResult } from './revoke.js';
// Access.
export { canI, type AskAs, type CanIOptions } from './can-i.js';
export {
  parseAccessQuery,
  type AccessAnswer,
  type AccessQueryOptions,
} from '../rbac/access-query.js';
export type { AccessRequest, NonResourceRequest, ResourceRequest } from '../rbac/policy-rule.js';
export { describeServiceAccount, type DescribeOptions } from './describe.js';
export type {
  BindingSummary,
  ServiceAccountDescription,
  StoredTokenSummary,
} from './describe-summary.js';
// Declared tokens (`mint --from`).
export { readManifests, findDeclaredTokens, type DeclaredToken } from './manifests.js';
export type {
  ManifestFailure,
  ManifestPosition,
  ManifestSet,
  ManifestSkip,
} from '../rbac/manifest-reader.js';
export {
  mintDeclaredTokens,
  type DeclaredMintResult,
  type MintDeclaredOptions,
} from './mint-declared.js';
export type {
  TokenDeclaration,
  TokenRotationDeclaration,
  TokenStoreDeclaration,
} from '../contract/token-declaration.js';
export { rotateToken, type RotateOptions, type RotationResult } from './rotate.js';
export {
  declaredRotations,
  rotateDeclaredTokens,
  type DeclaredRotationResult,
  type RotateDeclaredOptions,
} from './rotate-declared.js';
export {
  analyzeAuditLog,
  type AnalyzeAuditLogOptions,
  type AuditLogAnalysis,
  type MalformedLine,
} from './audit/analyze.js';
