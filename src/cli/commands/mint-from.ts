/**
 * `access-tokens mint --from PATH...`: every token declared in the manifests, minted with
 * bounded concurrency; a progress line on a terminal; a summary table (never a token); a
 * non-zero exit when any failed, after all the others were done.
 */
import type { CliIo, SetExitCode } from '../io.js';
import { ExitCode } from '../exit-codes.js';
import { clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { exitCodeOf } from '../exit-codes.js';
import { parseConcurrency } from './_option-values.js';
import { printData, table } from './_output.js';

interface MintFromFlags extends ClusterFlags {
  readonly concurrency?: string;
  readonly output?: string;
  readonly outDir?: string;
}

/** Mints every declared token found in `paths`. */
export async function mintFromManifests(
  paths: readonly string[],
  flags: MintFromFlags,
  io: CliIo,
  setExitCode: SetExitCode,
): Promise<void> {
  // Checked before client-node loads.
  const concurrency = parseConcurrency(flags.concurrency);
  const { readManifests, findDeclaredTokens } = await import('../../runtime/manifests.js');
  const { mintDeclaredTokens } = await import('../../runtime/mint-declared.js');
  const { connect } = await import('../../runtime/cluster.js');
  const manifests = await readManifests(paths);
  const client = connect(clusterOptions(flags, io));
  const declared = findDeclaredTokens(manifests.objects, client.namespace, manifests.sources);
  // When tokens go to stdout, the report goes to stderr so that stdout holds only tokens.
  const toStdout = declared.some((d) => d.declaration.store.kind === 'stdout');
  const report = toStdout ? io.stderr : io.stdout;
  if (declared.length === 0) {
    io.stderr(
      `no tokens declared in ${paths.join(', ')} (annotation access-tokens.cdk8s.io/token on a ServiceAccount)\n`,
    );
    return;
  }
  // Progress only on a real terminal.
  const tty = io.stderrIsTerminal === true;
  const results = await mintDeclaredTokens(declared, {
    client,
    concurrency,
    stdout: io.stdout,
    outDir: flags.outDir,
    onProgress: tty ? (done, total) => io.stderr(`\rminting ${done}/${total}`) : undefined,
  });
  if (tty) io.stderr('\n');
  const failed = results.filter((r) => !r.ok);
  for (const r of results)
    for (const w of r.warnings) io.stderr(`warning: ${r.namespace}/${r.serviceAccount}: ${w}\n`);
  if (flags.output === 'json' || flags.output === 'yaml') {
    await printData({ stdout: report, stderr: io.stderr }, flags.output, results);
  } else {
    report(
      table(
        ['NAMESPACE', 'SERVICEACCOUNT', 'STATUS', 'STORED IN', 'EXPIRES'],
        results.map((r) => [
          r.namespace,
          r.serviceAccount,
          r.ok ? 'minted' : 'FAILED',
          r.ok ? (r.destination ?? '') : '-',
          r.expiresAt ?? '',
        ]),
      ),
    );
    // Why each failed, below the table: one long message would widen every row.
    for (const r of failed) report(`failed: ${r.namespace}/${r.serviceAccount}: ${r.error}\n`);
    const deleted = results.reduce((n, r) => n + (r.deletedBindingSecrets ?? 0), 0);
    report(
      `${results.length - failed.length} minted, ${failed.length} failed` +
        (deleted > 0 ? `, ${deleted} expired binding Secret(s) deleted` : '') +
        '\n',
    );
  }
  if (failed.length > 0) {
    const categories = new Set(failed.map((f) => f.category));
    setExitCode(categories.size === 1 ? exitCodeOf([...categories][0]) : ExitCode.FINDINGS);
  }
}
