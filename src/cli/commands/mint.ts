/**
 * `access-tokens mint SA -n NS ...` mints one token; `mint --from PATH...` mints every token
 * declared in synthesized manifests. The token goes only where asked: `-o token`,
 * `-o kubeconfig`, `--out FILE` (0600, atomic) or `--secret NAME`.
 */
import { lstatSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { CliIo } from '../io.js';
import { durationProblem } from '../../contract/token-declaration.js';
import { dnsSubdomainProblem } from '../../rbac/names.js';
import { CliError } from '../exit-codes.js';
import type { SetExitCode } from './index.js';
import { addClusterFlags, clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag, keyValueTable, printData } from './_output.js';
import { exitCodeOf, runAction } from '../exit-codes.js';
import { collect, parseDurationSeconds } from './_option-values.js';

interface MintFlags extends ClusterFlags {
  readonly duration?: string;
  readonly audience?: string[];
  readonly bindToNewSecret?: boolean;
  readonly boundObjectKind?: 'Secret' | 'Pod';
  readonly boundObjectName?: string;
  readonly boundObjectUid?: string;
  readonly output?: 'json' | 'yaml' | 'name' | 'token' | 'kubeconfig';
  readonly out?: string;
  readonly secret?: string;
  readonly from?: string[];
  readonly concurrency?: string;
  readonly outDir?: string;
}

/** Registers `mint`. */
export function registerMint(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const cmd = program
    .command('mint [serviceAccount]')
    .description(
      'mint a ServiceAccount token through TokenRequest, or with --from every token declared in manifests',
    )
    // No commander default (1h is applied in mintOne) so that `--from` can tell it was given.
    .option('--duration <duration>', 'requested lifetime, e.g. 10m, 1h, 2d (min 10m, default 1h)')
    .option(
      '--audience <aud>',
      "an audience of the token; repeat for more (default: the API server's)",
      collect,
    )
    .option(
      '--bind-to-new-secret',
      'bind the token to a new Secret owned by the ServiceAccount (revocable alone)',
    )
    .addOption(
      new Option('--bound-object-kind <kind>', 'bind the token to an existing object').choices([
        'Secret',
        'Pod',
      ]),
    )
    .option('--bound-object-name <name>', 'name of the object to bind to')
    .option(
      '--bound-object-uid <uid>',
      'UID of the object to bind to (when omitted, the server fills it in)',
    )
    .option(
      '--out <file>',
      'write the token (or with -o kubeconfig, the kubeconfig) to FILE, mode 0600, atomically',
    )
    .option(
      '--secret <name>',
      'store the token in this Secret of the namespace (optimistic concurrency)',
    )
    .option('--from <path...>', 'mint every token declared in these manifest files or directories')
    .option('--concurrency <n>', 'with --from: parallel requests (default: 16)')
    .option(
      '--out-dir <dir>',
      'with --from: the folder that kubeconfigFile stores are written into (default: the current directory)',
    );
  addOutputFlag(cmd, ['json', 'yaml', 'name', 'token', 'kubeconfig']);
  addClusterFlags(cmd);
  cmd.action((serviceAccount: string | undefined, flags: MintFlags) =>
    runAction(async () => {
      if (flags.from) {
        if (serviceAccount)
          throw new CliError(
            `give either a ServiceAccount or --from, not both: got ServiceAccount '${serviceAccount}' and --from`,
          );
        const single = singleTokenFlagGiven(flags);
        if (single) {
          throw new CliError(
            `${single} cannot be used with --from: each token goes where its declaration says`,
          );
        }
        const { mintFromManifests } = await import('./mint-from.js');
        await mintFromManifests(flags.from, flags, io, setExitCode);
        return;
      }
      if (!serviceAccount)
        throw new CliError('name the ServiceAccount to mint for, or give --from PATH');
      if (flags.outDir !== undefined)
        throw new CliError('--out-dir goes with --from; for one token use --out FILE');
      await mintOne(serviceAccount, flags, io);
    }),
  );
}

/** Why `--out FILE` cannot take a token, checked before one is minted; undefined when it can. */
function outFileProblem(
  out: string,
  tokenFileProblem: (stat: Stats | undefined) => string | undefined,
): string | undefined {
  if (out.trim() === '') return 'give a file path';
  if (/[/\\]$/.test(out)) return 'it names a folder: give a file path';
  const code = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? String(err);
  const folder = dirname(resolve(out));
  try {
    if (!statSync(folder).isDirectory()) return `'${folder}' is not a folder`;
  } catch (err) {
    return code(err) === 'ENOENT'
      ? `its folder '${folder}' does not exist`
      : `its folder '${folder}' cannot be used (${code(err)})`;
  }
  try {
    return tokenFileProblem(lstatSync(out, { throwIfNoEntry: false }));
  } catch (err) {
    return `it cannot be checked (${code(err)})`;
  }
}

/** A failure to store a token that was stored elsewhere already: the message says where. */
function keptIn(err: unknown, stored: readonly string[]): CliError {
  const message = `${(err as Error).message} (the token was kept in ${stored.join(', ')})`;
  return new CliError(
    message,
    err instanceof CliError ? err.exitCode : exitCodeOf((err as { category?: string }).category),
  );
}

/** The first flag given that is about one token, which `--from` (many tokens) cannot take. */
function singleTokenFlagGiven(flags: MintFlags): string | undefined {
  const given: [string, boolean][] = [
    // -o json|yaml is the format of the --from report; the other formats are the token itself
    [
      `-o ${flags.output}`,
      flags.output !== undefined && flags.output !== 'json' && flags.output !== 'yaml',
    ],
    ['--out', flags.out !== undefined],
    ['--secret', flags.secret !== undefined],
    ['--audience', flags.audience !== undefined],
    ['--bind-to-new-secret', flags.bindToNewSecret !== undefined],
    ['--bound-object-kind', flags.boundObjectKind !== undefined],
    ['--bound-object-name', flags.boundObjectName !== undefined],
    ['--bound-object-uid', flags.boundObjectUid !== undefined],
    ['--duration', flags.duration !== undefined],
  ];
  return given.find(([, isGiven]) => isGiven)?.[0];
}

async function mintOne(serviceAccount: string, flags: MintFlags, io: CliIo): Promise<void> {
  if (flags.boundObjectKind !== undefined && flags.boundObjectName === undefined)
    throw new CliError(
      `--bound-object-kind ${flags.boundObjectKind} needs --bound-object-name: the ${flags.boundObjectKind} to bind to`,
    );
  if (flags.boundObjectKind === undefined && flags.boundObjectName !== undefined)
    throw new CliError(
      `--bound-object-name '${flags.boundObjectName}' needs --bound-object-kind Secret or Pod`,
    );
  if (flags.boundObjectUid !== undefined && flags.boundObjectKind === undefined)
    throw new CliError(
      `--bound-object-uid '${flags.boundObjectUid}' needs --bound-object-kind and --bound-object-name`,
    );
  if (flags.bindToNewSecret && flags.boundObjectKind !== undefined)
    throw new CliError(
      `--bind-to-new-secret binds to a new Secret; --bound-object-kind ${flags.boundObjectKind} to an existing object: give one or the other`,
    );
  const keeps =
    flags.output === 'token' ||
    flags.output === 'kubeconfig' ||
    flags.out !== undefined ||
    flags.secret !== undefined;
  if (flags.bindToNewSecret && !keeps) {
    // The new Secret would exist (and be counted against quotas) with its token thrown away.
    throw new CliError(
      '--bind-to-new-secret needs somewhere to keep the token: add -o token, -o kubeconfig, --out FILE or --secret NAME',
    );
  }
  if (flags.concurrency !== undefined)
    throw new CliError('--concurrency goes with --from: one token is one request');
  // The destinations are checked before minting, so that no token (and no binding Secret) is
  // made for nowhere.
  const secretProblem =
    flags.secret === undefined ? undefined : dnsSubdomainProblem('--secret', flags.secret);
  if (secretProblem) throw new CliError(secretProblem);
  if (flags.out !== undefined) {
    const { tokenFileProblem } = await import('../../runtime/atomic-file.js');
    const problem = outFileProblem(flags.out, tokenFileProblem);
    if (problem) throw new CliError(`cannot write the token file '${flags.out}' (${problem})`);
  }
  const durationSeconds = parseDurationSeconds(flags.duration ?? '1h', '--duration');
  // Checked here, before client-node loads and a cluster is looked for, naming the flag.
  const durationIssue = durationProblem(durationSeconds, '--duration');
  if (durationIssue) throw new CliError(durationIssue);
  const { connect } = await import('../../runtime/cluster.js');
  const { mintToken } = await import('../../runtime/mint.js');
  const { storeToken } = await import('../../runtime/store.js');
  const { cleanUpExpiredBindingSecrets, discardBindingSecret } =
    await import('../../runtime/binding-secret.js');
  const client = connect(clusterOptions(flags, io));
  const minted = await mintToken({
    client,
    serviceAccount,
    namespace: client.namespace,
    durationSeconds,
    audiences: flags.audience,
    bindToNewSecret: flags.bindToNewSecret,
    ...(flags.boundObjectKind
      ? {
          boundObject: {
            kind: flags.boundObjectKind,
            name: flags.boundObjectName as string,
            uid: flags.boundObjectUid,
          },
        }
      : {}),
  });
  // The file first: it is the destination more likely to fail (a folder not writable), and a
  // Secret written before it would be left holding a token its failure revokes.
  const destinations = [
    ...(flags.out !== undefined
      ? [
          flags.output === 'kubeconfig'
            ? ({ kind: 'kubeconfigFile', path: flags.out } as const)
            : ({ kind: 'tokenFile', path: flags.out } as const),
        ]
      : []),
    ...(flags.secret !== undefined ? [{ kind: 'secret', name: flags.secret } as const] : []),
  ];
  const stored: string[] = [];
  for (const dest of destinations) {
    try {
      stored.push((await storeToken(client, minted, dest)).destination);
    } catch (err) {
      // Kept somewhere already: say where, and leave its binding Secret (the token is in use).
      if (stored.length > 0) throw keptIn(err, stored);
      if (!flags.bindToNewSecret) throw err;
      await discardBindingSecret(client, minted, err);
    }
  }
  // Only now, with the new token kept: the Secrets of expired tokens revoke nothing alive.
  const cleanup = flags.bindToNewSecret
    ? await cleanUpExpiredBindingSecrets(client, minted.namespace, minted.serviceAccount)
    : undefined;
  const warnings = cleanup?.warning ? [...minted.warnings, cleanup.warning] : minted.warnings;
  for (const w of warnings)
    io.stderr(`warning: ${minted.namespace}/${minted.serviceAccount}: ${w}\n`);
  const summary = {
    namespace: minted.namespace,
    serviceAccount: minted.serviceAccount,
    audiences: minted.audiences,
    requestedSeconds: minted.requestedSeconds,
    lifetimeSeconds: minted.lifetimeSeconds,
    expiresAt: minted.expiresAt,
    ...(minted.boundObject ? { boundObject: minted.boundObject } : {}),
    storedIn: stored,
    ...(cleanup ? { deletedBindingSecrets: cleanup.deleted } : {}),
    warnings,
  };
  const toStdout = flags.out === undefined;
  switch (flags.output) {
    case 'token':
    case 'kubeconfig':
      if (toStdout) {
        await storeToken(client, minted, {
          kind: 'stream',
          write: io.stdout,
          format: flags.output,
        });
      } else {
        io.stderr(
          `minted a token for ${minted.namespace}/${minted.serviceAccount}, written to ${flags.out}, expires ${minted.expiresAt}\n`,
        );
      }
      return;
    case 'json':
    case 'yaml':
      await printData(io, flags.output, summary);
      return;
    case 'name':
      io.stdout(`serviceaccount/${minted.serviceAccount}\n`);
      return;
    default: {
      const { formatSeconds } = await import('../../runtime/inspect.js');
      io.stdout(
        keyValueTable([
          ['ServiceAccount', `${minted.namespace}/${minted.serviceAccount}`],
          ['Audiences', minted.audiences.join(', ')],
          [
            'Lifetime',
            `${formatSeconds(minted.lifetimeSeconds)} (requested ${formatSeconds(minted.requestedSeconds)})`,
          ],
          ['Expires', minted.expiresAt],
          [
            'Bound to',
            minted.boundObject
              ? `${minted.boundObject.kind}/${minted.boundObject.name} (uid ${minted.boundObject.uid})`
              : undefined,
          ],
          [
            'Cleaned up',
            cleanup ? `${cleanup.deleted} binding Secret(s) of expired tokens deleted` : undefined,
          ],
          [
            'Stored in',
            stored.join(', ') ||
              'nowhere: use -o token, -o kubeconfig, --out FILE or --secret NAME to keep it',
          ],
        ]),
      );
    }
  }
}
