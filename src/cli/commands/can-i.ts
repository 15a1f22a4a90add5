/**
 * `access-tokens can-i VERB TYPE[/NAME] --manifests PATH... --as USER`: `kubectl auth can-i`,
 * answered offline from the RBAC objects in manifests (no cluster, no @kubernetes/client-node).
 * Without `--manifests` it asks the cluster (`can-i-cluster.ts`, loaded only then): about
 * `--as USER` with a SubjectAccessReview, else as the token or kubeconfig user.
 *
 * Prints `yes` or `no` and exits 0 for yes, 1 for no, 2 for usage errors, like kubectl; `-o`
 * prints the `AccessAnswer`, one shape offline and from the cluster. Every value is asked
 * literally, as the API server compares it, with a warning for what looks wrong. Offline the
 * namespace defaults to `default` (kubectl's default without a kubeconfig context); `-A` asks
 * cluster-wide (namespace `''`).
 */
import type { Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { addClusterFlags, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag } from './_output.js';
import { addTokenFlags } from './_token-input.js';
import {
  addQueryFlags,
  loadPolicy,
  parseQuery,
  printAnswer,
  type QueryFlags,
} from './_offline-query.js';

interface CanIFlags extends ClusterFlags, QueryFlags {
  readonly as?: string;
  readonly asGroup: string[];
  readonly tokenFile?: string;
  readonly tokenEnv?: string;
  readonly output?: 'json' | 'yaml';
  readonly quiet?: boolean;
}

/** Registers `can-i`. */
export function registerCanI(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('can-i <verb> <target>')
    .description(
      'check whether a user may do VERB on TYPE[/NAME] (or a /non-resource/url); offline with --manifests, else asks the cluster. Exit 0 yes, 1 no',
    )
    .option(
      '--as <user>',
      "the user who asks, e.g. 'alice' or 'system:serviceaccount:NS:NAME'; without --manifests the cluster answers with a SubjectAccessReview (your credentials need create subjectaccessreviews)",
    )
    .option(
      '--as-group <group>',
      'a group of the --as user (repeatable); system:authenticated is added, and a ServiceAccount user given none gets its ServiceAccount groups',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--manifests <path...>',
      'answer offline from the RBAC objects in these YAML/JSON files or folders',
    )
    .option('-q, --quiet', 'print nothing; only the exit code answers');
  addQueryFlags(cmd);
  addOutputFlag(cmd, ['json', 'yaml']);
  addClusterFlags(cmd);
  addTokenFlags(cmd);
  cmd.action(async (verb: string, target: string, flags: CanIFlags) => {
    if (flags.manifests === undefined) {
      if (flags.as === undefined && flags.asGroup.length > 0)
        throw new CliError('--as-group needs --as: the user whose group it is');
      if (flags.as !== undefined && (flags.tokenFile !== undefined || flags.tokenEnv !== undefined))
        throw new CliError(
          '--as asks about another user with your kubeconfig credentials; --token-file/--token-env ask as that token: give one or the other',
        );
      const { runClusterCanI } = await import('./can-i-cluster.js');
      setExitCode(await runClusterCanI({ ...flags, verb, target }, io));
      return;
    }
    setExitCode(await canIOffline(verb, target, flags, io));
  });
}

const CLUSTER_ONLY_FLAGS = [
  ['kubeconfig', '--kubeconfig'],
  ['context', '--context'],
  ['tokenFile', '--token-file'],
  ['tokenEnv', '--token-env'],
  ['requestTimeout', '--request-timeout'],
  ['maxAttempts', '--max-attempts'],
  ['maxRetryTime', '--max-retry-time'],
] as const;

async function canIOffline(
  verb: string,
  target: string,
  flags: CanIFlags,
  io: CliIo,
): Promise<number> {
  for (const [key, flag] of CLUSTER_ONLY_FLAGS) {
    if (flags[key] !== undefined) {
      throw new CliError(
        `${flag} asks the cluster and cannot be used with --manifests, which answers offline as --as`,
      );
    }
  }
  if (flags.as === undefined) {
    throw new CliError(
      '--as USER is required with --manifests: name who asks, e.g. --as alice or --as system:serviceaccount:NS:NAME',
    );
  }
  const { impersonatedUser, accessAnswerOf, AccessQueryError } =
    await import('../../rbac/access-query.js');
  let who;
  try {
    who = impersonatedUser(flags.as, flags.asGroup);
  } catch (err) {
    throw err instanceof AccessQueryError ? new CliError(err.message) : err;
  }
  const { authorizer, servedGroups } = await loadPolicy(flags.manifests ?? [], io, flags);
  const { request, warnings } = await parseQuery(verb, target, flags, { servedGroups });
  if (!flags.quiet) for (const w of warnings) io.stderr(`warning: ${w}\n`);
  const answer = accessAnswerOf(request, authorizer.authorize(who, request), who);
  await printAnswer(io, answer, flags);
  return answer.allowed ? ExitCode.OK : ExitCode.FINDINGS;
}
