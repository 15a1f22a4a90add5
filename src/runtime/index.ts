/**
 * `cdk8s-access-tokens/runtime`: mint, store, inspect, review, check and revoke
 * ServiceAccount tokens against an API server, and mint every token declared in synthesized
 * manifests.
 */
export { connect, ClusterClient, type ClusterOptions } from './cluster.js';
export { loadKubeConfig, resolveNamespace, type KubeconfigOptions } from './kubeconfig.js';
export { AccessTokensError, type ErrorCategory } from './errors.js';
export { explainForbidden, permissionFor } from './permission-hint.js';
export { redactSecrets, registerSecret } from './redact.js';
export type { ApiAction } from './api-action.js';
export type { RuntimeLogger } from './logger.js';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelayMs,
  isRetryable,
  withRetry,
  type RetryPolicy,
} from './retry.js';
export { decodeJwtClaims, subjectOf, type ServiceAccountClaims, type TokenSubject } from './jwt.js';
export { inspectToken, formatSeconds, type TokenInspection } from './inspect.js';
export {
  mintToken,
  KUBELET_MAGIC_SECONDS,
  type BoundObject,
  type MintOptions,
  type MintedToken,
} from './mint.js';
export { storeToken, type StoredToken, type TokenDestination } from './store.js';
export { writeFileAtomic } from './atomic-file.js';
export { renderTokenKubeconfig, type TokenKubeconfigOptions } from './token-kubeconfig.js';
export { reviewToken, type ReviewOptions, type TokenReviewResult } from './review.js';
export {
  canI,
  type AccessAnswer,
  type AccessQuery,
  type AskAs,
  type CanIOptions,
} from './can-i.js';
export { revoke, type RevokeOptions, type RevokeResult } from './revoke.js';
export { readManifests, findDeclaredTokens, type DeclaredToken } from './manifests.js';
export type {
  TokenDeclaration,
  TokenRotationDeclaration,
  TokenStoreDeclaration,
} from '../contract/token-declaration.js';
export {
  mintDeclaredTokens,
  type DeclaredMintResult,
  type MintDeclaredOptions,
} from './mint-declared.js';
export { describeServiceAccount, type DescribeOptions } from './describe.js';
export type {
  BindingSummary,
  ServiceAccountDescription,
  StoredTokenSummary,
} from './describe-summary.js';
export { accessQueryOf } from './can-i.js';
