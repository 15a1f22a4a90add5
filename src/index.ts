// The public API of `cdk8s-access-tokens`: the constructs and the pure rbac engine.
// The runtime (which talks to a cluster) is `cdk8s-access-tokens/runtime`.
export * from './constructs/index.js';
export * from './rbac/index.js';
// The synth-to-runtime contract: the token declaration written onto a ServiceAccount.
export {
  TOKEN_DECLARATION_ANNOTATION,
  TOKEN_DECLARATION_VERSION,
  type TokenDeclaration,
  type TokenRotationDeclaration,
  type TokenStoreDeclaration,
} from './contract/token-declaration.js';
