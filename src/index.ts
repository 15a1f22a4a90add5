// The public API of `cdk8s-access-tokens`: the constructs and the pure rbac engine.
// The runtime (which talks to a cluster) is `cdk8s-access-tokens/runtime`.
export * from './constructs/index.js';
export * from './rbac/index.js';
