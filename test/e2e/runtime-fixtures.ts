/**
 * Fixtures of the runtime e2e tests: a ServiceAccount with a Role, the CLI run in-process
 * with its output captured, and a bounded wait for a token's revocation.
 */
import * as k8s from '@kubernetes/client-node';
import {
  TOKEN_DECLARATION_ANNOTATION,
  serializeTokenDeclaration,
  type TokenDeclaration,
} from '../../src/contract/token-declaration.js';
import { main } from '../../src/cli/main.js';
import { reviewToken } from '../../src/runtime/review.js';

/** Creates a ServiceAccount bound to a Role with the given rules; returns the SA's UID. */
export async function createServiceAccountWithRole(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  rules: k8s.V1PolicyRule[],
): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const sa = await core.createNamespacedServiceAccount({
    namespace,
    body: { metadata: { name }, automountServiceAccountToken: false },
  });
  if (rules.length > 0) {
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });
  }
  return sa.metadata?.uid ?? '';
}

/** Everything any CLI run or logger printed in this test file, to search for tokens. */
export const capturedOutput: string[] = [];

/** Runs the CLI in-process; returns exit code and output (also appended to `capturedOutput`). */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdin?: NodeJS.ReadableStream,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    env,
    ...(stdin ? { stdin } : {}),
  });
  capturedOutput.push(stdout, stderr);
  return { code, stdout, stderr };
}

/** A logger that records into `capturedOutput`. */
export const capturingLogger = {
  warn: (m: string) => void capturedOutput.push(m),
  info: (m: string) => void capturedOutput.push(m),
  debug: (m: string) => void capturedOutput.push(m),
};

/**
 * Polls TokenReview until the token is rejected. The API server caches successful token
 * authentications for ~10 s, so revocation is not instant; the loop is bounded (attempts, not
 * time assertions) and returns how many reviews it took.
 */
export async function waitUntilRejected(
  kc: k8s.KubeConfig,
  token: string,
  maxPolls = 40,
): Promise<number> {
  for (let i = 1; i <= maxPolls; i++) {
    const review = await reviewToken(token, { kubeConfig: kc });
    if (!review.authenticated) return i;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`token still authenticated after ${maxPolls} TokenReviews`);
}

/** A ServiceAccount manifest that declares a token (the synth's annotation contract, v1). */
export function declaringServiceAccount(
  namespace: string,
  name: string,
  declaration: Omit<TokenDeclaration, 'version'>,
) {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      namespace,
      annotations: {
        [TOKEN_DECLARATION_ANNOTATION]: serializeTokenDeclaration({ version: 1, ...declaration }),
      },
    },
    automountServiceAccountToken: false,
  };
}
