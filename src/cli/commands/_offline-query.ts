/**
 * What `can-i` (offline and from the cluster) and `who-can` share: the query flags, reading
 * the question with its warnings, loading an authorizer from manifests, and printing an
 * answer. Private to the CLI; the rbac modules are imported lazily so that other commands do
 * not load them.
 */
import type { Command } from 'commander';
import type { AccessAnswer } from '../../rbac/access-query.js';
import type { RbacAuthorizer } from '../../rbac/authorizer.js';
import type { AccessRequest } from '../../rbac/policy-rule.js';
import type { CliIo } from '../io.js';
import { CliError } from '../exit-codes.js';
import { printData } from './_output.js';

/** The flags of an access query, as parsed. */
export interface QueryFlags {
  readonly manifests?: string[];
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly subresource?: string;
  /** The user asked about, to say which namespace was assumed for a ServiceAccount. */
  readonly as?: string;
  /** `--default-namespace`: the namespace of namespaced manifests that name none. */
  readonly defaultNamespace?: string;
  /** False with `--no-builtin-roles`. */
  readonly builtinRoles?: boolean;
}

/** Adds `-A/--all-namespaces` and `--subresource` (not `-n` nor `--manifests`, which differ). */
export function addQueryFlags(cmd: Command): Command {
  return cmd
    .option('-A, --all-namespaces', "ask cluster-wide (namespace ''); wins over -n")
    .option('--subresource <name>', "the subresource, e.g. 'log' or 'scale'")
    .option(
      '--default-namespace <ns>',
      'with --manifests: namespace of namespaced objects that name none (kubectl apply -n)',
    )
    .option(
      '--no-builtin-roles',
      "with --manifests: leave out Kubernetes' bootstrap roles (view, edit, admin, cluster-admin, system:*) and its bindings of system:authenticated, system:unauthenticated and system:serviceaccounts",
    );
}

/**
 * Reads VERB and TYPE[/NAME] with the flags as kubectl sends them: every value is asked
 * literally, with warnings for what looks wrong (`accessQueryWarnings`), for `-A` winning over
 * `-n`, and for a ServiceAccount asked about outside its namespace because none was given.
 * `defaultNamespace` is used without `-n`/`-A` (the kubeconfig's for the cluster).
 */
export async function parseQuery(
  verb: string,
  target: string,
  flags: QueryFlags,
  options: { readonly defaultNamespace?: string; readonly servedGroups?: readonly string[] } = {},
): Promise<{ request: AccessRequest; warnings: string[] }> {
  const { parseAccessQuery, accessQueryWarnings, assumedNamespaceNote, AccessQueryError } =
    await import('../../rbac/access-query.js');
  let request: AccessRequest;
  try {
    request = parseAccessQuery(verb, target, {
      subresource: flags.subresource,
      namespace: flags.namespace || options.defaultNamespace,
      allNamespaces: flags.allNamespaces === true,
    });
  } catch (err) {
    throw err instanceof AccessQueryError ? new CliError(err.message) : err;
  }
  const warnings = accessQueryWarnings(request, { servedGroups: options.servedGroups });
  if (flags.allNamespaces && flags.namespace)
    warnings.push(`-A asks cluster-wide: -n ${flags.namespace} is ignored, as kubectl does`);
  const note =
    flags.as !== undefined && !flags.namespace && !flags.allNamespaces
      ? assumedNamespaceNote(flags.as, request)
      : undefined;
  if (note) warnings.push(note);
  return { request, warnings };
}

/** An authorizer over the RBAC objects in `paths` (with Kubernetes' bootstrap roles, and its
 * bootstrap bindings of groups every user or ServiceAccount is in, unless `builtinRoles` is
 * false), and the API groups they define. */
export async function loadPolicy(
  paths: readonly string[],
  io: CliIo,
  flags: Pick<QueryFlags, 'defaultNamespace' | 'builtinRoles'> = {},
): Promise<{ authorizer: RbacAuthorizer; servedGroups: string[] }> {
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
  // CustomResourceDefinitions and APIServices (aggregated APIs) bring groups of their own.
  const servedGroups = objects.flatMap((o) => {
    const group = (o as { spec?: { group?: unknown } }).spec?.group;
    return (o.kind === 'CustomResourceDefinition' || o.kind === 'APIService') &&
      typeof group === 'string'
      ? [group]
      : [];
  });
  if (flags.builtinRoles === false) return { authorizer: new RbacAuthorizer(own), servedGroups };
  // Kubernetes' bootstrap roles answer bindings to them (cluster-admin, view, ...), and its
  // bindings of system:authenticated, ... grant what every cluster grants everyone (/healthz,
  // discovery, self access reviews); an object of the manifests with the same name wins, as
  // kubectl apply would replace it.
  const { bootstrapBindingsOfEveryone, bootstrapRoles } =
    await import('../../rbac/bootstrap-policy.js');
  const defined = new Set(own.roles.map((r) => `${r.kind}/${r.namespace}/${r.name}`));
  const builtin = bootstrapRoles().filter(
    (r) => !defined.has(`${r.kind}/${r.namespace}/${r.name}`),
  );
  const bound = new Set(own.bindings.map((b) => `${b.kind}/${b.namespace}/${b.name}`));
  const builtinBindings = bootstrapBindingsOfEveryone().filter(
    (b) => !bound.has(`${b.kind}/${b.namespace}/${b.name}`),
  );
  const authorizer = new RbacAuthorizer({
    roles: [...own.roles, ...builtin],
    bindings: [...own.bindings, ...builtinBindings],
  });
  return { authorizer, servedGroups };
}

/**
 * Prints an answer: `-o json|yaml` the `AccessAnswer` as it is (one shape offline and from the
 * cluster); else `yes`/`no` on stdout and, for a no, on stderr why and what would grant it.
 * Nothing with `quiet`.
 */
export async function printAnswer(
  io: CliIo,
  answer: AccessAnswer,
  flags: { readonly output?: 'json' | 'yaml'; readonly quiet?: boolean },
): Promise<void> {
  if (flags.output) return printData(io, flags.output, answer);
  if (flags.quiet) return;
  io.stdout(answer.allowed ? 'yes\n' : 'no\n');
  if (answer.allowed) return;
  const why = answer.reason ? ` (${answer.reason})` : '';
  io.stderr(
    answer.denied
      ? `explicitly denied${why}: no grant can allow it\n`
      : `not allowed${why}; it would be granted by ${answer.wouldBeGrantedBy}\n`,
  );
}
