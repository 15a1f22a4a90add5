/**
 * Reading synthesized manifests and finding the tokens declared on their ServiceAccounts
 * (the `access-tokens.cdk8s.io/token` annotation). YAML parsing is the rbac engine's.
 */
import {
  parseTokenDeclaration,
  TOKEN_DECLARATION_ANNOTATION,
  type TokenDeclaration,
} from '../contract/token-declaration.js';
import type { KubeObject } from '../rbac/kube-object.js';
import { readManifestPaths, type ManifestSet } from '../rbac/manifest-reader.js';
import { AccessTokensError } from './errors.js';

/** Reads manifest files and folders (YAML or JSON); a bad path or document is a usage error. */
export async function readManifests(paths: readonly string[]): Promise<ManifestSet> {
  try {
    return await readManifestPaths(paths);
  } catch (err) {
    throw new AccessTokensError((err as Error).message, 'usage');
  }
}

/** A token declared on a ServiceAccount in the manifests. */
export interface DeclaredToken {
  /** The ServiceAccount's namespace; the default namespace when the manifest names none. */
  readonly namespace: string;
  /** The ServiceAccount's name. */
  readonly serviceAccount: string;
  /** The parsed declaration: lifetime, audiences, store, and whether to bind each token. */
  readonly declaration: TokenDeclaration;
  /** The file it was declared in. */
  readonly source?: string;
}

/**
 * Every token declared in `objects`. ServiceAccounts without a namespace are taken to be in
 * `defaultNamespace` (as `kubectl apply -n` would put them). Throws on a malformed
 * declaration, naming the ServiceAccount and its file.
 */
export function findDeclaredTokens(
  objects: readonly KubeObject[],
  defaultNamespace: string,
  sources?: ReadonlyMap<KubeObject, string>,
): DeclaredToken[] {
  const found: DeclaredToken[] = [];
  for (const obj of objects) {
    if (obj.kind !== 'ServiceAccount' || obj.apiVersion !== 'v1') continue;
    const text = obj.metadata?.annotations?.[TOKEN_DECLARATION_ANNOTATION];
    if (text === undefined) continue;
    const namespace = obj.metadata?.namespace ?? defaultNamespace;
    const serviceAccount = obj.metadata?.name ?? '';
    const source = sources?.get(obj);
    const where = `ServiceAccount ${namespace}/${serviceAccount}${source ? ` in ${source}` : ''}`;
    let declaration: TokenDeclaration;
    try {
      declaration = parseTokenDeclaration(text, where);
    } catch (err) {
      throw new AccessTokensError((err as Error).message, 'usage');
    }
    found.push({ namespace, serviceAccount, declaration, ...(source ? { source } : {}) });
  }
  return found;
}
