/**
 * The contract between synth and runtime: a token declared on a ServiceAccount.
 *
 * The constructs write it as the annotation `access-tokens.cdk8s.io/token` on the
 * ServiceAccount; `access-tokens mint --from dist/` and the rotation Job read it back. The
 * value is JSON with a `version` so that an older runtime refuses a newer format instead of
 * misreading it. Version 1:
 *
 * ```json
 * {"version":1,"durationSeconds":3600,"audiences":["https://kubernetes.default.svc"],
 *  "store":{"kind":"secret","name":"deployer-token"},"boundToSecret":false}
 * ```
 *
 * - `durationSeconds`: integer, 600 ≤ n ≤ 2^32 (TokenRequest's limits).
 * - `audiences`: array of non-empty strings; `[]` means the API server's default audience.
 * - `store`: `{"kind":"secret","name":N}` (same namespace as the ServiceAccount),
 *   `{"kind":"kubeconfigFile","path":P}` (P relative, without `..`: resolved inside the
 *   output folder of `mint --from`), or `{"kind":"stdout"}`.
 * - `boundToSecret`: mint each token bound to a Secret of its own, so it can be revoked alone.
 * - `rotation` (optional): `{"schedule":"<cron>"}`; reserved, the schedule defaults to one
 *   derived from the duration.
 * - `mintOnDeploy` (optional): whether a sync-hook Job mints the token when deployed.
 *
 * Keys are always written in the order above, so synth output is byte-identical.
 * Pure: no cdk8s, no client-node.
 */
import { dnsSubdomainProblem } from '../rbac/names.js';

/** The annotation on a ServiceAccount that declares its token. */
export const TOKEN_DECLARATION_ANNOTATION = 'access-tokens.cdk8s.io/token';

/** The only format version this code reads and writes. */
export const TOKEN_DECLARATION_VERSION = 1;

/** Label on Secrets whose content the runtime manages (`"true"`). */
export const MANAGED_LABEL = 'access-tokens.cdk8s.io/managed';

/** Annotation on a managed Secret: the token's real expiry (RFC 3339, from its `exp`). */
export const EXPIRES_AT_ANNOTATION = 'access-tokens.cdk8s.io/expires-at';

/** Annotation on a managed Secret: the token's audiences (JSON array). */
export const AUDIENCES_ANNOTATION = 'access-tokens.cdk8s.io/audiences';

/** Annotation on a managed Secret: when the token was minted (RFC 3339). */
export const MINTED_AT_ANNOTATION = 'access-tokens.cdk8s.io/minted-at';

/**
 * Annotation on a managed Secret whose token was revoked (RFC 3339): `revoke` removes the dead
 * token from the stores that held it and records when.
 */
export const REVOKED_AT_ANNOTATION = 'access-tokens.cdk8s.io/revoked-at';

/** Annotation on a managed Secret: the ServiceAccount the token authenticates as. */
export const SERVICE_ACCOUNT_ANNOTATION = 'access-tokens.cdk8s.io/service-account';

/** The key of a managed Secret's `data` that holds the token. */
export const TOKEN_SECRET_KEY = 'token';

/** TokenRequest's smallest lifetime, in seconds. */
export const MIN_TOKEN_SECONDS = 600;

/** TokenRequest's largest lifetime, in seconds (2^32). */
export const MAX_TOKEN_SECONDS = 2 ** 32;

/** Where a minted token goes. */
export type TokenStoreDeclaration =
  | {
      /** A Secret in the ServiceAccount's namespace, replaced with optimistic concurrency. */
      readonly kind: 'secret';
      /** The Secret's name (a DNS-1123 subdomain). */
      readonly name: string;
    }
  | {
      /** A kubeconfig file written by `mint --from`, mode 0600, atomically. */
      readonly kind: 'kubeconfigFile';
      /** Relative, without `..`: resolved inside `mint --from`'s `--out-dir`. */
      readonly path: string;
    }
  | {
      /** Standard output of `mint --from` (one such token per run). */
      readonly kind: 'stdout';
    };

/** Reserved: rotation settings beyond the default schedule. */
export interface TokenRotationDeclaration {
  /** A cron schedule; when absent it is derived from the duration. */
  readonly schedule?: string;
}

/** A token declared on a ServiceAccount (format version 1). */
export interface TokenDeclaration {
  /** The format version; a runtime refuses a version it does not know. */
  readonly version: 1;
  /** The lifetime to request, in whole seconds from 600 to 2^32. */
  readonly durationSeconds: number;
  /** The audiences to request; `[]` means the API server's default audience. */
  readonly audiences: readonly string[];
  /** Where the minted token goes. */
  readonly store: TokenStoreDeclaration;
  /** Mint each token bound to a Secret of its own, so that it can be revoked alone. */
  readonly boundToSecret: boolean;
  /** Reserved: rotation settings. */
  readonly rotation?: TokenRotationDeclaration;
  /** `TokenProps.mintOnDeploy`, when it was given. */
  readonly mintOnDeploy?: boolean;
}

const STORE_KINDS = ['secret', 'kubeconfigFile', 'stdout'] as const;
/** The problem with a Secret name, or undefined when it is a valid DNS-1123 subdomain. */
export function secretNameProblem(name: string): string | undefined {
  return dnsSubdomainProblem('secret name', name);
}

/**
 * The problem with a kubeconfigFile store's path, or undefined when it is relative and stays
 * inside the output folder: a manifest must not choose where on the minting machine a token
 * is written (`/etc/...`, `../../.bashrc`).
 */
export function kubeconfigPathProblem(path: string): string | undefined {
  const segments = path.split(/[\\/]+/);
  if (
    path.trim() === '' ||
    path.startsWith('/') ||
    path.startsWith('\\') ||
    /^[A-Za-z]:/.test(path) ||
    segments.includes('..')
  ) {
    return `token.store.path must be a relative path inside the output folder, got '${path}'`;
  }
  return undefined;
}

/** The problem with a duration in seconds, or undefined when TokenRequest accepts it. */
export function durationProblem(seconds: number, field = 'duration'): string | undefined {
  if (!Number.isInteger(seconds))
    return `${field} must be a whole number of seconds, got ${seconds} s`;
  if (seconds < MIN_TOKEN_SECONDS) {
    return `${field} must be at least 10 minutes (${MIN_TOKEN_SECONDS} s), got ${seconds} s`;
  }
  if (seconds > MAX_TOKEN_SECONDS) {
    return `${field} must be at most 2^32 seconds (${MAX_TOKEN_SECONDS} s), got ${seconds} s`;
  }
  return undefined;
}

/** Serializes a declaration with a fixed key order (deterministic synth output). */
export function serializeTokenDeclaration(decl: TokenDeclaration): string {
  const store =
    decl.store.kind === 'secret'
      ? { kind: 'secret', name: decl.store.name }
      : decl.store.kind === 'kubeconfigFile'
        ? { kind: 'kubeconfigFile', path: decl.store.path }
        : { kind: 'stdout' };
  const ordered: Record<string, unknown> = {
    version: TOKEN_DECLARATION_VERSION,
    durationSeconds: decl.durationSeconds,
    audiences: [...decl.audiences],
    store,
    boundToSecret: decl.boundToSecret,
  };
  if (decl.rotation !== undefined) {
    ordered.rotation =
      decl.rotation.schedule === undefined ? {} : { schedule: decl.rotation.schedule };
  }
  if (decl.mintOnDeploy !== undefined) ordered.mintOnDeploy = decl.mintOnDeploy;
  return JSON.stringify(ordered);
}

/** A declaration that could not be read; the message names where, the field and the value. */
export class TokenDeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenDeclarationError';
  }
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an annotation value. `where` names its origin in errors, e.g.
 * `ServiceAccount shop/deployer in dist/app.k8s.yaml`.
 */
export function parseTokenDeclaration(text: string, where: string): TokenDeclaration {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new TokenDeclarationError(
      `${where}: annotation ${TOKEN_DECLARATION_ANNOTATION}: ${field} is ${describeValue(value)}, expected ${allowed}`,
    );
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TokenDeclarationError(
      `${where}: annotation ${TOKEN_DECLARATION_ANNOTATION} is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (!isObject(raw)) return fail('the value', raw, 'a JSON object');
  if (raw.version !== TOKEN_DECLARATION_VERSION) {
    return fail(
      'version',
      raw.version,
      `${TOKEN_DECLARATION_VERSION} (this runtime reads format version 1 only; upgrade cdk8s-access-tokens)`,
    );
  }
  const known = [
    'version',
    'durationSeconds',
    'audiences',
    'store',
    'boundToSecret',
    'rotation',
    'mintOnDeploy',
  ];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) fail(`field '${key}'`, raw[key], `one of ${known.join(', ')}`);
  }
  const duration = raw.durationSeconds;
  if (typeof duration !== 'number' || durationProblem(duration) !== undefined) {
    fail(
      'durationSeconds',
      duration,
      `an integer from ${MIN_TOKEN_SECONDS} to ${MAX_TOKEN_SECONDS}`,
    );
  }
  const audiences = raw.audiences;
  if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string' || a.length === 0)) {
    fail('audiences', audiences, 'an array of non-empty strings');
  }
  const store = parseStore(raw.store, fail, (problem) => {
    throw new TokenDeclarationError(
      `${where}: annotation ${TOKEN_DECLARATION_ANNOTATION}: ${problem}`,
    );
  });
  if (typeof raw.boundToSecret !== 'boolean')
    fail('boundToSecret', raw.boundToSecret, 'true or false');
  let rotation: TokenRotationDeclaration | undefined;
  if (raw.rotation !== undefined) {
    if (!isObject(raw.rotation)) return fail('rotation', raw.rotation, 'an object');
    const schedule = raw.rotation.schedule;
    if (schedule !== undefined && (typeof schedule !== 'string' || schedule.trim() === '')) {
      fail('rotation.schedule', schedule, 'a cron schedule string');
    }
    rotation = schedule === undefined ? {} : { schedule: schedule as string };
  }
  if (raw.mintOnDeploy !== undefined && typeof raw.mintOnDeploy !== 'boolean') {
    fail('mintOnDeploy', raw.mintOnDeploy, 'true or false');
  }
  return {
    version: 1,
    durationSeconds: duration as number,
    audiences: audiences as string[],
    store,
    boundToSecret: raw.boundToSecret as boolean,
    ...(rotation !== undefined ? { rotation } : {}),
    ...(raw.mintOnDeploy !== undefined ? { mintOnDeploy: raw.mintOnDeploy as boolean } : {}),
  };
}

function parseStore(
  store: unknown,
  fail: (field: string, value: unknown, allowed: string) => never,
  failWith: (problem: string) => never,
): TokenStoreDeclaration {
  if (!isObject(store))
    return fail('store', store, `an object with kind ${STORE_KINDS.join(' | ')}`);
  switch (store.kind) {
    case 'secret': {
      const name = store.name;
      if (typeof name !== 'string' || secretNameProblem(name) !== undefined) {
        return fail('store.name', name, 'a DNS-1123 subdomain');
      }
      return { kind: 'secret', name };
    }
    case 'kubeconfigFile': {
      const path = store.path;
      if (typeof path !== 'string' || path.length === 0)
        return fail('store.path', path, 'a non-empty path');
      const problem = kubeconfigPathProblem(path);
      if (problem) return failWith(problem);
      return { kind: 'kubeconfigFile', path };
    }
    case 'stdout':
      return { kind: 'stdout' };
    default:
      return fail('store.kind', store.kind, STORE_KINDS.map((k) => `'${k}'`).join(', '));
  }
}

/** What a managed Secret carries besides its name. */
export interface ManagedSecretOptions {
  readonly namespace?: string;
  /** Extra labels; the managed label is always set. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
  }[];
  /** Base64 data: only the runtime, never the synth, passes any. */
  readonly data?: Readonly<Record<string, string>>;
}

/** A Secret managed by access-tokens, as plain data: the synth's and the runtime's one shape. */
export function managedSecretManifest(name: string, options: ManagedSecretOptions = {}) {
  const problem = secretNameProblem(name);
  if (problem) throw new Error(`token.store: ${problem}`);
  return {
    apiVersion: 'v1' as const,
    kind: 'Secret' as const,
    metadata: {
      name,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      labels: { ...options.labels, [MANAGED_LABEL]: 'true' },
      ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
      ...(options.ownerReferences ? { ownerReferences: [...options.ownerReferences] } : {}),
    },
    type: 'Opaque' as const,
    ...(options.data ? { data: { ...options.data } } : {}),
  };
}
