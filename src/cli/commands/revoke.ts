/**
 * `access-tokens revoke --token-file F`: deletes the object the token is bound to (its Secret;
 * a Pod only with `--allow-pod-deletion`), so that the token stops working within the API
 * server's ~10 s authentication cache. `--wait` polls TokenReview until it is rejected.
 */
import type { Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { addClusterFlags, clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag, printData } from './_output.js';
import { addTokenFlags, readToken } from './_token-input.js';
import { parseDurationSeconds } from './_option-values.js';
import { runAction } from '../exit-codes.js';

interface RevokeFlags extends ClusterFlags {
  readonly tokenFile?: string;
  readonly tokenEnv?: string;
  readonly allowPodDeletion?: boolean;
  readonly wait?: boolean;
  readonly timeout?: string;
  readonly output?: 'json' | 'yaml' | 'name';
}

/** Registers `revoke`. */
export function registerRevoke(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('revoke')
    .description('revoke a token by deleting the Secret (or Pod) it is bound to')
    .option('--allow-pod-deletion', 'revoke a Pod-bound token by deleting the Pod')
    .option(
      '--wait',
      'wait until a TokenReview rejects the token (the server caches authentications ~10 s)',
    )
    .option('--timeout <duration>', 'with --wait: how long to wait (default: 60s)');
  addTokenFlags(cmd);
  addOutputFlag(cmd, ['json', 'yaml', 'name']);
  addClusterFlags(cmd);
  cmd.action((flags: RevokeFlags) =>
    runAction(async () => {
      // Checked before the token is read: a flag that would do nothing is a mistake to report.
      if (flags.timeout !== undefined && !flags.wait) {
        throw new CliError(
          `--timeout goes with --wait: it bounds the wait for a TokenReview to reject the token, and without --wait revoke does not wait (got --timeout '${flags.timeout}')`,
        );
      }
      if (flags.namespace !== undefined) {
        throw new CliError(
          `-n/--namespace cannot be used with revoke: the object deleted is in the token's own namespace, which its claims name (got -n '${flags.namespace}')`,
        );
      }
      const token = await readToken(flags, io);
      const waitTimeoutMs = parseDurationSeconds(flags.timeout ?? '60s', '--timeout', 1) * 1000;
      const { revoke } = await import('../../runtime/revoke.js');
      const result = await revoke(token, {
        ...clusterOptions(flags, io),
        allowPodDeletion: flags.allowPodDeletion,
        wait: flags.wait,
        waitTimeoutMs,
      });
      if (result.confirmed === false) setExitCode(ExitCode.TRANSIENT);
      const d = result.deleted;
      if (flags.output === 'json' || flags.output === 'yaml')
        return await printData(io, flags.output, result);
      if (flags.output === 'name') return io.stdout(`${d.kind.toLowerCase()}/${d.name}\n`);
      io.stdout(`deleted ${d.kind} ${d.namespace}/${d.name}: the token is revoked`);
      io.stdout(
        result.confirmed === undefined
          ? " (it may still authenticate for ~10 s, the API server's cache)\n"
          : result.confirmed
            ? ' (confirmed: TokenReview rejects it)\n'
            : ' (but TokenReview still accepted it when --timeout ran out)\n',
      );
      for (const store of result.clearedStores)
        io.stdout(`removed the revoked token from secret ${d.namespace}/${store}\n`);
      for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
    }),
  );
}
