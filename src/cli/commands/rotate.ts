/**
 * `access-tokens rotate SA -n NS --secret NAME` replaces the token stored in a Secret once 80%
 * of its lifetime has passed (`--force`: now); `rotate --from PATH...` does so for every
 * declared rotation. What the rotation CronJob and the deploy-time Job run.
 */
import type { Command } from 'commander';
import type { CliIo, SetExitCode } from '../io.js';
import { durationProblem } from '../../contract/token-declaration.js';
import { dnsSubdomainProblem } from '../../rbac/names.js';
import { CliError, ExitCode, exitCodeOf, runAction } from '../exit-codes.js';
import { addClusterFlags, clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag, printData, table } from './_output.js';
import { collect, parseConcurrency, parseDurationSeconds } from './_option-values.js';

interface RotateFlags extends ClusterFlags {
  readonly secret?: string;
  readonly duration?: string;
  readonly audience?: string[];
  readonly force?: boolean;
  readonly from?: string[];
  readonly concurrency?: string;
  readonly output?: 'json' | 'yaml';
}

/** Registers `rotate`. */
export function registerRotate(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('rotate [serviceAccount]')
    .description(
      'replace the token stored in a Secret once 80% of its lifetime has passed, or with --from every declared rotation',
    )
    .option('--secret <name>', 'the Secret that holds the token (in the namespace)')
    .option('--duration <duration>', 'lifetime of a new token, e.g. 10m, 1h, 2d (default: 1h)')
    .option(
      '--audience <aud>',
      "an audience of a new token; repeat for more (default: the API server's)",
      collect,
    )
    .option('--force', 'replace the token now, and replace a store that holds no valid token')
    .option('--from <path...>', 'rotate every rotation declared in these manifests')
    .option('--concurrency <n>', 'with --from: parallel rotations (default: 16)');
  addOutputFlag(cmd, ['json', 'yaml']);
  addClusterFlags(cmd);
  cmd.action((serviceAccount: string | undefined, flags: RotateFlags) =>
    runAction(async () => {
      if (flags.from) {
        if (serviceAccount)
          throw new CliError(
            `give either a ServiceAccount or --from, not both: got ServiceAccount '${serviceAccount}' and --from`,
          );
        for (const [flag, given] of [
          ['--secret', flags.secret],
          ['--duration', flags.duration],
          ['--audience', flags.audience],
        ] as const) {
          if (given !== undefined)
            throw new CliError(`${flag} cannot be used with --from: each declaration says it`);
        }
        await rotateFromManifests(flags.from, flags, io, setExitCode);
        return;
      }
      if (!serviceAccount)
        throw new CliError('name the ServiceAccount whose token to rotate, or give --from PATH');
      if (flags.secret === undefined)
        throw new CliError('--secret NAME is required: the Secret that holds the token');
      const secretProblem = dnsSubdomainProblem('--secret', flags.secret);
      if (secretProblem) throw new CliError(secretProblem);
      if (flags.concurrency !== undefined)
        throw new CliError('--concurrency goes with --from: one rotation is one token');
      const durationSeconds = parseDurationSeconds(flags.duration ?? '1h', '--duration');
      const problem = durationProblem(durationSeconds, '--duration');
      if (problem) throw new CliError(problem);
      const { rotateToken } = await import('../../runtime/rotate.js');
      const result = await rotateToken({
        ...clusterOptions(flags, io),
        serviceAccount,
        secret: flags.secret,
        durationSeconds,
        audiences: flags.audience,
        force: flags.force,
      });
      for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
      if (flags.output) return await printData(io, flags.output, result);
      const where = `secret/${result.secret} -n ${result.namespace}`;
      io.stdout(
        result.rotated
          ? `rotated: ${where} holds a new token of ${result.serviceAccount}, valid until ${result.expiresAt} (${result.reason})\n`
          : `kept: ${where}: ${result.reason}${result.expiresAt ? `; it expires at ${result.expiresAt}` : ''} (--force rotates now)\n`,
      );
    }),
  );
}

async function rotateFromManifests(
  paths: readonly string[],
  flags: RotateFlags,
  io: CliIo,
  setExitCode: SetExitCode,
): Promise<void> {
  const concurrency = parseConcurrency(flags.concurrency);
  const { readManifests, findDeclaredTokens } = await import('../../runtime/manifests.js');
  const { declaredRotations, rotateDeclaredTokens } =
    await import('../../runtime/rotate-declared.js');
  const { connect } = await import('../../runtime/cluster.js');
  const manifests = await readManifests(paths);
  const client = connect(clusterOptions(flags, io));
  try {
    const declared = declaredRotations(
      findDeclaredTokens(manifests.objects, client.namespace, manifests.sources),
    );
    if (declared.length === 0) {
      io.stderr(
        `no rotations declared in ${paths.join(', ')} (a token declaration with "rotation" in the annotation access-tokens.cdk8s.io/token)\n`,
      );
      return;
    }
    const tty = io.stderrIsTerminal === true;
    const results = await rotateDeclaredTokens(declared, {
      client,
      concurrency,
      force: flags.force,
      onProgress: tty ? (done, total) => io.stderr(`\rrotating ${done}/${total}`) : undefined,
    });
    if (tty) io.stderr('\n');
    for (const r of results)
      if (r.ok)
        for (const w of r.warnings)
          io.stderr(`warning: ${r.namespace}/${r.serviceAccount}: ${w}\n`);
    const failed = results.filter((r) => !r.ok);
    if (flags.output) {
      await printData(io, flags.output, results);
    } else {
      io.stdout(
        table(
          ['NAMESPACE', 'SERVICEACCOUNT', 'STATUS', 'SECRET', 'EXPIRES'],
          results.map((r) => [
            r.namespace,
            r.serviceAccount,
            r.ok ? (r.rotated ? 'rotated' : 'kept') : 'FAILED',
            r.ok ? r.secret : '-',
            r.ok ? (r.expiresAt ?? '') : '',
          ]),
        ),
      );
      for (const r of failed)
        if (!r.ok) io.stdout(`failed: ${r.namespace}/${r.serviceAccount}: ${r.error}\n`);
      const rotated = results.filter((r) => r.ok && r.rotated).length;
      io.stdout(
        `${rotated} rotated, ${results.length - rotated - failed.length} not due, ${failed.length} failed\n`,
      );
    }
    if (failed.length > 0) {
      const categories = new Set(failed.map((f) => (f.ok ? undefined : f.category)));
      setExitCode(categories.size === 1 ? exitCodeOf([...categories][0]) : ExitCode.FINDINGS);
    }
  } finally {
    client.close();
  }
}
