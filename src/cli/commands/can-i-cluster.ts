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
import { readToken } from './_token-input.js';
import { runAction } from '../exit-codes.js';
import { parseQuery, printAnswer } from './_offline-query.js';

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

/** Asks the cluster; prints the answer as the offline form does. Resolves to the exit code. */
export async function runClusterCanI(options: ClusterCanIOptions, io: CliIo): Promise<number> {
  let code: number = ExitCode.OK;
  await runAction(async () => {
    const token =
      options.tokenFile !== undefined || options.tokenEnv !== undefined
        ? await readToken(options, io)
        : undefined;
    const { canI } = await import('../../runtime/can-i.js');
    const { connect } = await import('../../runtime/cluster.js');
    const client = connect(clusterOptions(options, io));
    const { request, warnings } = await parseQuery(options.verb, options.target, options, {
      defaultNamespace: client.namespace,
    });
    if (!options.quiet) for (const w of warnings) io.stderr(`warning: ${w}\n`);
    const answer = await canI(request, {
      client,
      ...(token ? { token } : {}),
      ...(options.as !== undefined ? { as: { user: options.as, groups: options.asGroup } } : {}),
    });
    code = answer.allowed ? ExitCode.OK : ExitCode.FINDINGS;
    await printAnswer(io, answer, options);
  });
  return code;
}
