// What the runtime uses of @kubernetes/client-node, by name: scripts/bundle.mjs bundles
// client-node from this module alone (lib/cli/client-node.cjs), so the bundle holds these
// classes and what they need, and nothing of the API groups the runtime never calls.
//
// The CLI bundle is built against exactly these names: a runtime module that reads a name
// missing here fails `npm run build` (esbuild's import-is-undefined, made an error) instead of
// shipping a CLI that finds `undefined` at run time. Add the name here, in order.
export {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
