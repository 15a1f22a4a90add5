/**
 * The cluster form of `access-tokens can-i VERB TARGET` (no `--manifests`): a
 * SelfSubjectAccessReview as the given token (`--token-file`/`--token-env`) or as the
 * kubeconfig's user, or a SubjectAccessReview about `--as USER` (`--as-group`). Exit 0 yes,
 * 1 no, like kubectl; with `-q` nothing is printed. `can-i.ts` calls `runClusterCanI` when
 * `--manifests` is absent.
 */
import type { CliIo } from '../io.js';
import { ExitCode } from '../exit-codes.js';
import { clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { printData } from './_output.js';
import { readToken } from './_token-input.js';
import { runAction } from '../exit-codes.js';

/** What `can-i` passes through when asking the cluster. */
export interface ClusterCanIOptions extends ClusterFlags {
  readonly verb: string;
  /** `TYPE[.GROUP][/NAME]` or a non-resource URL; the subresource is `subresource`. */
  readonly target: string;
  readonly subresource?: string;
  readonly allNamespaces?: boolean;
  readonly tokenFile?: string;
  readonly tokenEnv?: string;
  /** Ask about this user (SubjectAccessReview) instead of as the caller. */
  readonly as?: string;
  /** The `as` user's groups (`--as-group`). */
  readonly asGroup?: readonly string[];
  readonly output?: 'json' | 'yaml';
  /** Print nothing (not even warnings): only the exit code answers. */
  readonly quiet?: boolean;
}

/** Asks the cluster; prints `yes`/`no` (and, for no, the Permission that would grant it). Resolves to the exit code. */
export async function runClusterCanI(options: ClusterCanIOptions, io: CliIo): Promise<number> {
  let code: number = ExitCode.OK;
  await runAction(async () => {
    const token =
      options.tokenFile !== undefined || options.tokenEnv !== undefined
        ? await readToken(options, io)
        : undefined;
    const { canI, accessQueryOf } = await import('../../runtime/can-i.js');
    const { connect } = await import('../../runtime/cluster.js');
    const client = connect(clusterOptions(options, io));
    const query = accessQueryOf(options.verb, options.target, {
      namespace: options.allNamespaces ? '' : client.namespace,
      subresource: options.subresource,
    });
    if (!options.quiet) {
      const { accessQueryWarnings } = await import('../../rbac/access-query.js');
      const request = query.nonResourceUrl
        ? { verb: query.verb, path: query.nonResourceUrl }
        : {
            verb: query.verb,
            apiGroup: query.apiGroup ?? '',
            resource: query.resource,
            subresource: query.subresource,
          };
      for (const w of accessQueryWarnings(request)) io.stderr(`warning: ${w}\n`);
    }
    const answer = await canI(query, {
      client,
      ...(token ? { token } : {}),
      ...(options.as !== undefined ? { as: { user: options.as, groups: options.asGroup } } : {}),
    });
    code = answer.allowed ? ExitCode.OK : ExitCode.FINDINGS;
    if (options.output) {
      await printData(io, options.output, { query, ...answer });
      return;
    }
    if (options.quiet) return; // only the exit code answers
    io.stdout(answer.allowed ? 'yes\n' : 'no\n');
    if (!answer.allowed) {
      const why = answer.reason ? ` (${answer.reason})` : '';
      io.stderr(`denied${why}${answer.grantedBy ? `; granted by ${answer.grantedBy}` : ''}\n`);
    }
  });
  return code;
}
