/**
 * What the offline `can-i` and `who-can` share: the query flags, reading the question, and
 * loading an authorizer from manifests. Private to the CLI; the rbac modules are imported
 * lazily so that other commands do not load them.
 */
import type { Command } from 'commander';
import type { RbacAuthorizer } from '../../rbac/authorizer.js';
import type { AccessRequest } from '../../rbac/policy-rule.js';
import type { CliIo } from '../io.js';
import { CliError } from '../exit-codes.js';

/** The flags of an access query, as parsed. */
export interface QueryFlags {
  readonly manifests?: string[];
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly subresource?: string;
  /** `--default-namespace`: the namespace of namespaced manifests that name none. */
  readonly defaultNamespace?: string;
  /** False with `--no-builtin-roles`. */
  readonly builtinRoles?: boolean;
}

/** Adds `-A/--all-namespaces` and `--subresource` (not `-n` nor `--manifests`, which differ). */
export function addQueryFlags(cmd: Command): Command {
  return cmd
    .option('-A, --all-namespaces', "ask cluster-wide (namespace '')")
    .option('--subresource <name>', "the subresource, e.g. 'log' or 'scale'")
    .option(
      '--default-namespace <ns>',
      'with --manifests: namespace of namespaced objects that name none (kubectl apply -n)',
    )
    .option(
      '--no-builtin-roles',
      "with --manifests: leave out Kubernetes' bootstrap roles (view, edit, admin, cluster-admin, system:*)",
    );
}

/** Reads VERB and TYPE[/NAME] with the flags; malformed arguments are usage errors. */
export async function parseQuery(
  verb: string,
  target: string,
  flags: QueryFlags,
): Promise<{ request: AccessRequest; warnings: string[] }> {
  const { parseAccessQuery, accessQueryWarnings, AccessQueryError } =
    await import('../../rbac/access-query.js');
  try {
    const request = parseAccessQuery(verb, target, {
      subresource: flags.subresource,
      namespace: flags.namespace,
      allNamespaces: flags.allNamespaces === true,
    });
    return { request, warnings: accessQueryWarnings(request) };
  } catch (err) {
    throw err instanceof AccessQueryError ? new CliError(err.message) : err;
  }
}

/** An authorizer over the RBAC objects in `paths`; unreadable or unparsable input is a usage error. */
export async function loadPolicy(
  paths: readonly string[],
  io: CliIo,
  flags: Pick<QueryFlags, 'defaultNamespace' | 'builtinRoles'> = {},
): Promise<RbacAuthorizer> {
  const { readManifestPaths } = await import('../../rbac/manifest-reader.js');
  const { rbacPolicyFrom } = await import('../../rbac/kube-object.js');
  const { RbacAuthorizer } = await import('../../rbac/authorizer.js');
  let objects;
  try {
    ({ objects } = await readManifestPaths(paths, { defaultNamespace: flags.defaultNamespace }));
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const own = rbacPolicyFrom(objects);
  if (own.roles.length === 0 && own.bindings.length === 0) {
    io.stderr(
      `warning: no Roles, ClusterRoles or bindings found in ${paths.join(', ')}: nothing is allowed\n`,
    );
  }
  if (flags.builtinRoles === false) return new RbacAuthorizer(own);
  // Kubernetes' bootstrap roles answer bindings to them (cluster-admin, view, ...); a role of
  // the manifests with the same name wins, as kubectl apply would replace it.
  const { bootstrapRoles } = await import('../../rbac/bootstrap-policy.js');
  const defined = new Set(own.roles.map((r) => `${r.kind}/${r.namespace}/${r.name}`));
  const builtin = bootstrapRoles().filter(
    (r) => !defined.has(`${r.kind}/${r.namespace}/${r.name}`),
  );
  return new RbacAuthorizer({ roles: [...own.roles, ...builtin], bindings: own.bindings });
}
