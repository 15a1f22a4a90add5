/**
 * `access-tokens legacy scan|plan [--manifests PATH...]`: legacy, never-expiring
 * ServiceAccount token Secrets, in manifests (offline) or in a cluster; `scan` says what to do
 * with each, `plan` prints the cdk8s code that replaces each account's. Exit 0 when none is
 * found, 1 when some are (so a CI step can gate on it), 2 for usage errors.
 */
import type { Command } from 'commander';
import type { LegacyPlan } from '../../rbac/legacy-plan.js';
import type { LegacyToken } from '../../rbac/legacy-tokens.js';
import type { CliIo } from '../io.js';
import { CliError, ExitCode, runAction } from '../exit-codes.js';
import type { SetExitCode } from './index.js';
import { addClusterFlags, clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag, printData, table } from './_output.js';

interface LegacyFlags extends ClusterFlags {
  readonly manifests?: string[];
  readonly allNamespaces?: boolean;
  readonly output?: 'json' | 'yaml';
}

interface Found {
  readonly tokens: readonly LegacyToken[];
  readonly plans: readonly LegacyPlan[];
  readonly incomplete: readonly string[];
}

async function find(flags: LegacyFlags, io: CliIo): Promise<Found> {
  if (flags.manifests) {
    if (flags.allNamespaces)
      throw new CliError('-A/--all-namespaces needs a cluster, not --manifests');
    const { readManifestPaths } = await import('../../rbac/manifest-reader.js');
    const { planLegacyTokens } = await import('../../rbac/legacy-plan.js');
    let objects;
    try {
      ({ objects } = await readManifestPaths(flags.manifests));
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (objects.length === 0)
      throw new CliError(`no kubernetes objects found in ${flags.manifests.join(', ')}`);
    return { ...planLegacyTokens(objects, flags.namespace ?? 'default'), incomplete: [] };
  }
  const { scanClusterLegacyTokens } = await import('../../runtime/legacy.js');
  return scanClusterLegacyTokens({
    ...clusterOptions(flags, io),
    allNamespaces: flags.allNamespaces === true,
  });
}

function addLegacyFlags(cmd: Command): Command {
  addClusterFlags(cmd);
  addOutputFlag(cmd, ['json', 'yaml']);
  return cmd
    .option('-A, --all-namespaces', 'scan every namespace of the cluster')
    .option(
      '--manifests <path...>',
      'scan these YAML/JSON files or folders instead of a cluster (-n: the namespace of objects without one)',
    );
}

/** Registers `legacy scan` and `legacy plan`. */
export function registerLegacy(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const legacy = program
    .command('legacy')
    .description(
      'find legacy, never-expiring ServiceAccount token Secrets and plan their replacement',
    );
  const scan = legacy
    .command('scan')
    .description(
      'list legacy token Secrets, the pods that use them, when they were last used, and what to do; exit 1 when any is found',
    );
  addLegacyFlags(scan).action((flags: LegacyFlags) =>
    runAction(async () => {
      const found = await find(flags, io);
      if (found.tokens.length > 0) setExitCode(ExitCode.FINDINGS);
      if (flags.output)
        return printData(io, flags.output, { tokens: found.tokens, incomplete: found.incomplete });
      if (found.tokens.length === 0) {
        io.stderr('no legacy token secrets found\n');
      } else {
        io.stdout(
          table(
            ['NAMESPACE', 'SECRET', 'SERVICEACCOUNT', 'LAST USED', 'USED BY'],
            found.tokens.map((t) => [
              t.namespace,
              t.secret,
              t.serviceAccount || '(none)',
              t.lastUsed ?? 'unknown',
              t.usedBy.map((u) => `${u.kind}/${u.name}`).join(',') || 'none found',
            ]),
          ),
        );
        for (const t of found.tokens) {
          io.stdout(`\n${t.namespace}/${t.secret}:\n`);
          t.steps.forEach((step, i) => io.stdout(`  ${i + 1}. ${step}\n`));
        }
      }
      if (found.incomplete.length) io.stderr(`incomplete: ${found.incomplete.join('; ')}\n`);
    }),
  );
  const plan = legacy
    .command('plan')
    .description(
      'print the cdk8s code (ServiceAccountAccess with the permissions its bindings grant, compacted and linted) that replaces each account with a legacy token',
    );
  addLegacyFlags(plan).action((flags: LegacyFlags) =>
    runAction(async () => {
      const found = await find(flags, io);
      if (found.plans.length > 0) setExitCode(ExitCode.FINDINGS);
      if (flags.output)
        return printData(io, flags.output, { plans: found.plans, incomplete: found.incomplete });
      if (found.plans.length === 0) {
        io.stderr('no legacy token secrets of a serviceaccount found\n');
      } else {
        io.stdout(
          "import { Duration } from 'cdk8s';\n" +
            "import { Permission, Risk, ServiceAccountAccess, TokenStore } from 'cdk8s-access-tokens';\n\n",
        );
        io.stdout(found.plans.map((p) => p.code).join('\n\n') + '\n');
      }
      if (found.incomplete.length)
        io.stderr(
          `incomplete, the plans may grant less than the accounts have: ${found.incomplete.join('; ')}\n`,
        );
    }),
  );
}
