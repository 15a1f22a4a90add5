/**
 * `access-tokens inspect --token-file F [--verify]`: what a token is (claims, subject,
 * audiences, bound object, expiry, time left), read offline; with `--verify`, plus the API
 * server's TokenReview. Without `--verify` it never loads @kubernetes/client-node.
 */
import type { Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { addClusterFlags, clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag, keyValueTable, printData } from './_output.js';
import { addTokenFlags, readToken } from './_token-input.js';
import { collect } from './_option-values.js';
import { runAction } from '../exit-codes.js';
import { registerSecret } from '../../runtime/redact.js';

interface InspectFlags extends ClusterFlags {
  readonly tokenFile?: string;
  readonly tokenEnv?: string;
  readonly verify?: boolean;
  readonly audience?: string[];
  readonly output?: 'json' | 'yaml';
}

/** The `Kind` line for each kind of token. */
const KIND_TEXT = {
  'service-account': 'bound service account token',
  'legacy-service-account': 'legacy Secret token (never expires)',
  'not-service-account':
    'not a Kubernetes ServiceAccount token (none of the kubernetes.io claims the API server puts in one)',
} as const;

/** Registers `inspect`. */
export function registerInspect(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('inspect')
    .description(
      'show what a token is: subject, audiences, bound object, expiry; --verify asks the API server (TokenReview)',
    )
    .option(
      '--verify',
      'also check the token with a TokenReview (needs a cluster); exit 1 if the server refuses it',
    )
    .option(
      '--audience <aud>',
      'with --verify: an audience to review the token for; repeat for more (an error without --verify)',
      collect,
    );
  addTokenFlags(cmd);
  addOutputFlag(cmd, ['json', 'yaml']);
  addClusterFlags(cmd);
  cmd.action((flags: InspectFlags) =>
    runAction(async () => {
      // Checked before the token is read: a flag that would do nothing is a mistake to report.
      if (flags.audience !== undefined && !flags.verify) {
        throw new CliError(
          '--audience needs --verify: it names the audiences the TokenReview checks the token for (the claims show its audiences without it)',
        );
      }
      const token = await readToken(flags, io);
      const { inspectToken, formatSeconds } = await import('../../runtime/inspect.js');
      registerSecret(token);
      const info = inspectToken(token);
      let review: import('../../runtime/review.js').TokenReviewResult | undefined;
      if (flags.verify) {
        const { reviewToken } = await import('../../runtime/review.js');
        review = await reviewToken(token, {
          ...clusterOptions(flags, io),
          audiences: flags.audience,
        });
        // Like can-i's "no": a script must be able to tell a refused token from an accepted one.
        if (!review.authenticated) setExitCode(ExitCode.FINDINGS);
      }
      if (flags.output) {
        const { claims, ...rest } = info;
        await printData(io, flags.output, { ...rest, claims, ...(review ? { review } : {}) });
        return;
      }
      const sa = info.serviceAccount;
      const bound = sa.boundObject
        ? `${sa.boundObject.kind}/${sa.boundObject.name}${sa.boundObject.uid ? ` (uid ${sa.boundObject.uid})` : ''}`
        : 'none';
      const left =
        info.secondsLeft === undefined
          ? `never expires (${sa.legacy ? 'legacy Secret token' : 'no exp claim'})`
          : info.expired
            ? `expired ${formatSeconds(-info.secondsLeft)} ago`
            : formatSeconds(info.secondsLeft);
      io.stdout(
        keyValueTable([
          ['Subject', info.subject],
          [
            'ServiceAccount',
            sa.serviceAccount ? `${sa.namespace}/${sa.serviceAccount}` : undefined,
          ],
          ['ServiceAccount UID', sa.serviceAccountUid],
          ['Kind', KIND_TEXT[info.kind]],
          ['Issuer', info.issuer],
          ['Audiences', info.audiences.join(', ') || undefined],
          ['Bound object', bound],
          ['Issued', info.issuedAt],
          ['Expires', info.expiresAt],
          [
            'Lifetime',
            info.lifetimeSeconds !== undefined ? formatSeconds(info.lifetimeSeconds) : undefined,
          ],
          ['Time left', left],
          ...(review
            ? ([
                [
                  'Verified',
                  review.authenticated
                    ? 'yes (TokenReview: authenticated)'
                    : `no: ${review.error ?? 'not authenticated'}`,
                ],
                ['User', review.username],
                ['Groups', review.groups.join(', ') || undefined],
              ] as [string, string | undefined][])
            : []),
        ]),
      );
    }),
  );
}
