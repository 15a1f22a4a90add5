/**
 * `access-tokens describe SA -n NS`: the ServiceAccount, its bindings, effective rules, stored
 * and legacy tokens, and lint findings (never a token value).
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { SetExitCode } from './index.js';
import { addClusterFlags, clusterOptions, type ClusterFlags } from './_cluster-flags.js';
import { addOutputFlag, keyValueTable, printData, table } from './_output.js';
import { runAction } from '../exit-codes.js';

interface DescribeFlags extends ClusterFlags {
  readonly output?: 'json' | 'yaml' | 'name';
}

/** Registers `describe`. */
export function registerDescribe(program: Command, io: CliIo, _setExitCode: SetExitCode): void {
  const cmd = program
    .command('describe <serviceAccount>')
    .description(
      'show a ServiceAccount: bindings, effective rules, stored and legacy tokens, lint findings',
    );
  addOutputFlag(cmd, ['json', 'yaml', 'name']);
  addClusterFlags(cmd);
  cmd.action((name: string, flags: DescribeFlags) =>
    runAction(async () => {
      const { describeServiceAccount } = await import('../../runtime/describe.js');
      const { formatRule, formatFindings } = await import('../../rbac/lint.js');
      const d = await describeServiceAccount(name, clusterOptions(flags, io));
      if (flags.output === 'json' || flags.output === 'yaml')
        return await printData(io, flags.output, d);
      if (flags.output === 'name') return io.stdout(`serviceaccount/${d.name}\n`);
      const decl = d.declaredToken;
      io.stdout(
        keyValueTable([
          ['Name', d.name],
          ['Namespace', d.namespace],
          ['UID', d.uid],
          [
            'Automount token',
            d.automountServiceAccountToken === undefined
              ? 'true (default)'
              : String(d.automountServiceAccountToken),
          ],
          [
            'Declared token',
            decl
              ? `${decl.durationSeconds} s, store ${decl.store.kind}${decl.store.kind === 'secret' ? ` ${decl.store.name}` : decl.store.kind === 'kubeconfigFile' ? ` ${decl.store.path}` : ''}${decl.boundToSecret ? ', bound to its own Secret' : ''}`
              : 'none',
          ],
        ]),
      );
      io.stdout('\nBindings:\n');
      io.stdout(
        d.bindings.length
          ? table(
              ['NAMESPACE', 'KIND', 'NAME', 'ROLE'],
              d.bindings.map((b) => [
                b.namespace || 'cluster-wide',
                b.kind,
                b.name,
                `${b.roleRef.kind}/${b.roleRef.name}${b.rules ? '' : ' (missing)'}`,
              ]),
            )
          : '  none\n',
      );
      io.stdout('\nEffective rules:\n');
      const rules = [
        ...d.effectiveRules.namespaced.map((r) => `  in ${d.namespace}: ${formatRule(r)}`),
        ...d.effectiveRules.otherNamespaces.flatMap((other) =>
          other.rules.map((r) => `  in ${other.namespace}: ${formatRule(r)}`),
        ),
        ...d.effectiveRules.clusterWide.map((r) => `  cluster-wide: ${formatRule(r)}`),
      ];
      io.stdout(rules.length ? `${rules.join('\n')}\n` : '  none\n');
      io.stdout('\nStored tokens:\n');
      io.stdout(
        d.storedTokens.length
          ? table(
              ['SECRET', 'KIND', 'STATE', 'EXPIRES', 'AUDIENCES'],
              d.storedTokens.map((t) => [
                t.secret,
                t.kind === 'legacy' ? 'legacy (never expires)' : t.kind,
                t.state === 'revoked' && t.revokedAt
                  ? `revoked ${t.revokedAt}`
                  : (t.state ?? (t.kind === 'legacy' ? 'valid until deleted' : '')),
                t.expiresAt ?? (t.kind === 'legacy' ? 'never' : ''),
                (t.audiences ?? []).join(','),
              ]),
            )
          : '  none\n',
      );
      io.stdout('\nFindings:\n');
      io.stdout(d.findings.length ? `${formatFindings(d.findings)}\n` : '  none\n');
      if (d.incomplete.length) io.stderr(`incomplete: ${d.incomplete.join('; ')}\n`);
    }),
  );
}
