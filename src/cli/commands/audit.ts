/**
 * `access-tokens audit report|rules|drift --log PATH...`: the API server's audit log as a usage
 * report, as the minimal rules an identity's observed use needs, and as granted-versus-used
 * drift against manifests. Offline: reads files (JSON lines, gzip, folders of rotated files,
 * `-` for standard input), never a cluster.
 * Exit 0 on success; 1 when `rules` found no allowed request of the identity; 2 for usage errors.
 */
import type { Command } from 'commander';
import type { AuditLogAnalysis } from '../../runtime/audit/analyze.js';
import type { RequestUsage } from '../../rbac/audit-usage.js';
import type { CliIo, SetExitCode } from '../io.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { writeJson } from './_json-stream.js';
import { parseIntegerOption } from './_option-values.js';
import { addOutputFlag, printData, table } from './_output.js';

interface LogFlags {
  readonly log: string[];
  readonly output?: string;
}

interface RulesFlags extends LogFlags {
  readonly serviceAccount?: string;
  readonly user?: string;
  readonly maxNames?: string;
}

interface DriftFlags extends LogFlags {
  readonly manifests: string[];
  readonly serviceAccount?: string;
}

async function analyze(
  io: CliIo,
  paths: readonly string[],
  identity?: string,
): Promise<AuditLogAnalysis> {
  const { analyzeAuditLog } = await import('../../runtime/audit/analyze.js');
  let analysis: AuditLogAnalysis;
  try {
    analysis = await analyzeAuditLog(paths, { stdin: io.stdin, identity });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (analysis.malformed > 0) {
    const first = analysis.malformedLines
      .slice(0, 3)
      .map((m) => `${m.source}:${m.line} ${m.problem}`)
      .join('; ');
    io.stderr(
      `warning: ${analysis.malformed} of ${analysis.lines} lines are not audit events and were skipped (${first})\n`,
    );
  }
  return analysis;
}

function resourceOf(u: RequestUsage): string {
  if (u.path !== undefined) return u.path;
  const base = u.apiGroup ? `${u.resource}.${u.apiGroup}` : u.resource;
  return u.subresource ? `${base}/${u.subresource}` : base;
}

function codesOf(u: RequestUsage): string {
  return Object.entries(u.codes)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ');
}

/** The names column: the listed names, then how many requests named others (the cap). */
function namesOf(u: RequestUsage): string {
  const names = [...(u.nameless ? ['(none)'] : []), ...u.names];
  const unlisted = u.unlistedNameRequests > 0 ? ` +${u.unlistedNameRequests} unlisted` : '';
  return names.join(',') + unlisted;
}

function printReport(io: CliIo, analysis: AuditLogAnalysis): void {
  const { report } = analysis;
  if (report.identities.length === 0 && report.unauthenticated.length === 0) {
    io.stdout(`no requests in ${analysis.files.join(', ')}\n`);
    return;
  }
  if (report.identities.length > 0)
    io.stdout(
      table(
        ['IDENTITY', 'KIND', 'REQUESTS', 'DENIED', 'FIRST', 'LAST'],
        report.identities.map((i) => [
          i.identity,
          i.kind,
          String(i.count),
          String(i.denied),
          i.first,
          i.last,
        ]),
      ),
    );
  for (const identity of report.identities) {
    io.stdout(`\n${identity.identity}\n`);
    io.stdout(
      table(
        ['VERB', 'RESOURCE', 'NAMESPACE', 'NAMES', 'CODES', 'COUNT', 'LAST'],
        identity.requests.map((u) => [
          u.allowed ? u.verb : `${u.verb} (denied)`,
          resourceOf(u),
          u.namespace,
          namesOf(u),
          codesOf(u),
          String(u.count),
          u.last,
        ]),
      ),
    );
  }
  if (report.unauthenticated.length > 0) {
    io.stdout('\nCREDENTIALS REFUSED (401, attributed to no identity)\n');
    io.stdout(
      table(
        ['VERB', 'RESOURCE', 'NAMESPACE', 'NAMES', 'CODES', 'SOURCE IPS', 'COUNT', 'LAST'],
        report.unauthenticated.map((u) => [
          u.verb,
          resourceOf(u),
          u.namespace,
          namesOf(u),
          codesOf(u),
          (u.sourceIps ?? []).join(',') +
            (u.unlistedSourceIpRequests ? ` +${u.unlistedSourceIpRequests} unlisted` : ''),
          String(u.count),
          u.last,
        ]),
      ),
    );
  }
  if (report.minting.length > 0) {
    io.stdout('\nTOKEN MINTING\n');
    io.stdout(
      table(
        ['SERVICE ACCOUNT', 'MINTED BY', 'MINTED', 'FAILED', 'CREDENTIAL IDS', 'LAST'],
        report.minting.map((m) => [
          m.serviceAccount,
          m.minter,
          String(m.minted),
          String(m.failed),
          m.credentialIds.join(',') || '(not recorded)',
          m.last,
        ]),
      ),
    );
  }
  if (report.tokens.length > 0) {
    io.stdout('\nTOKENS USED\n');
    io.stdout(
      table(
        ['CREDENTIAL ID', 'IDENTITY', 'REQUESTS', 'USED FOR'],
        report.tokens.map((t) => [
          t.credentialId,
          t.identity,
          String(t.count),
          t.requests.join(', '),
        ]),
      ),
    );
  }
}

/** `NS:NAME` of --service-account, or the --user. */
async function identityOf(flags: { serviceAccount?: string; user?: string }): Promise<{
  identity: string;
  namespace?: string;
  name: string;
}> {
  if (flags.serviceAccount !== undefined && flags.user !== undefined)
    throw new CliError('give either --service-account or --user, not both');
  if (flags.user !== undefined) {
    if (flags.user.trim() === '')
      throw new CliError(`--user '${flags.user}' is invalid: expected a user name`);
    return { identity: flags.user, name: flags.user.replace(/[^a-z0-9.-]+/gi, '-').toLowerCase() };
  }
  if (flags.serviceAccount === undefined)
    throw new CliError('--service-account NS:NAME or --user NAME is required');
  const m = /^([^:/]+)[:/]([^:/]+)$/.exec(flags.serviceAccount);
  if (!m)
    throw new CliError(
      `--service-account '${flags.serviceAccount}' is invalid: expected NAMESPACE:NAME, e.g. shop:deployer`,
    );
  const { serviceAccountUser } = await import('../../rbac/authorizer.js');
  return { identity: serviceAccountUser(m[1], m[2]), namespace: m[1], name: m[2] };
}

/** Registers `audit report`, `audit rules` and `audit drift`. */
export function registerAudit(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const audit = program
    .command('audit')
    .description(
      'analyse API-server audit logs: usage report, minimal rules, granted-versus-used drift',
    );

  const report = audit
    .command('report')
    .description(
      'per identity: what it did, how often, first and last seen; token minting and token use',
    )
    .requiredOption(
      '--log <path...>',
      "audit log files or folders (JSON lines, .gz), '-' for standard input",
    );
  addOutputFlag(report, ['json', 'yaml']);
  report.action(async (flags: LogFlags) => {
    const analysis = await analyze(io, flags.log);
    if (flags.output) {
      const { report: data, files, lines, malformed, malformedLines } = analysis;
      const output = { files, lines, malformed, malformedLines, ...data };
      // A large log's report is written piece by piece, never as one string.
      if (flags.output === 'json') writeJson(output, io.stdout);
      else await printData(io, 'yaml', output);
      return;
    }
    printReport(io, analysis);
  });

  const rules = audit
    .command('rules')
    .description(
      'the minimal rules that allow every observed allowed request of one identity: Role YAML (default), -o code for Permission code',
    )
    .requiredOption(
      '--log <path...>',
      "audit log files or folders (JSON lines, .gz), '-' for standard input",
    )
    .option('--service-account <ns:name>', 'the ServiceAccount, as NAMESPACE:NAME')
    .option('--user <name>', 'a user, as the API server names it')
    .option(
      '--max-names <n>',
      'keep object names as resourceNames up to this many per verb and resource (default 5)',
    );
  addOutputFlag(rules, ['yaml', 'json', 'code']);
  rules.action(async (flags: RulesFlags) => {
    const who = await identityOf(flags);
    const maxNames =
      flags.maxNames === undefined
        ? undefined
        : parseIntegerOption(flags.maxNames, '--max-names', { min: 0, max: 1000 });
    const analysis = await analyze(io, flags.log, who.identity);
    const { rulesFromUsage } = await import('../../rbac/audit-rules.js');
    const { observedRoleManifests, observedPermissionCode } =
      await import('../../rbac/audit-rules-render.js');
    const mine = analysis.usage.filter((u) => u.identity === who.identity);
    const observed = rulesFromUsage(mine, { maxNames });
    if (observed.length === 0) {
      io.stderr(`no allowed request of ${who.identity} in ${analysis.files.join(', ')}\n`);
      setExitCode(ExitCode.FINDINGS);
      return;
    }
    if (flags.output === 'code') {
      io.stdout(observedPermissionCode(observed, who.identity, who.namespace));
      return;
    }
    const manifests = observedRoleManifests(observed, `${who.name}-observed`);
    if (flags.output === 'json') {
      await printData(
        io,
        'json',
        manifests.length === 1
          ? manifests[0]
          : { apiVersion: 'v1', kind: 'List', items: manifests },
      );
      return;
    }
    const { dump } = await import('js-yaml');
    io.stdout(manifests.map((m) => dump(m, { noRefs: true, lineWidth: -1 })).join('---\n'));
  });

  const drift = audit
    .command('drift')
    .description(
      'per ServiceAccount of --manifests: grants never used in the log window, and requests it was denied',
    )
    .requiredOption(
      '--log <path...>',
      "audit log files or folders (JSON lines, .gz), '-' for standard input",
    )
    .requiredOption('--manifests <path...>', 'the YAML/JSON files or folders granting the access')
    .option('--service-account <ns:name>', 'only this ServiceAccount, as NAMESPACE:NAME');
  addOutputFlag(drift, ['json', 'yaml']);
  drift.action(async (flags: DriftFlags) => {
    const { readManifestPaths } = await import('../../rbac/manifest-reader.js');
    const { rbacPolicyFrom } = await import('../../rbac/kube-object.js');
    const { auditDrift, serviceAccountsOf } = await import('../../rbac/audit-drift.js');
    const { formatRule } = await import('../../rbac/lint.js');
    let objects;
    try {
      objects = (await readManifestPaths(flags.manifests)).objects;
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const policy = rbacPolicyFrom(objects);
    let accounts = serviceAccountsOf(objects, policy);
    if (flags.serviceAccount !== undefined) {
      const who = await identityOf({ serviceAccount: flags.serviceAccount });
      accounts = [`${who.namespace}/${who.name}`];
    }
    if (accounts.length === 0)
      io.stderr(`warning: no ServiceAccount in ${flags.manifests.join(', ')}\n`);
    const analysis = await analyze(io, flags.log);
    const drifts = auditDrift(policy, accounts, analysis.usage);
    if (flags.output) {
      await printData(io, flags.output as 'json' | 'yaml', {
        files: analysis.files,
        serviceAccounts: drifts,
      });
      return;
    }
    for (const d of drifts) {
      io.stdout(
        `${d.serviceAccount}: ${d.used} allowed requests, ${d.unused.length} unused grants, ${d.denied.length} denied request kinds\n`,
      );
      if (d.unused.length > 0)
        io.stdout(
          table(
            ['UNUSED GRANT', 'FROM'],
            d.unused.map((u) => [
              formatRule(u.grant),
              `${u.role} rules[${u.ruleIndex}] via ${u.binding}`,
            ]),
          ),
        );
      if (d.denied.length > 0)
        io.stdout(
          table(
            ['DENIED', 'RESOURCE', 'NAMESPACE', 'NAMES', 'COUNT', 'LAST'],
            d.denied.map((u) => [
              u.verb,
              resourceOf(u),
              u.namespace,
              namesOf(u),
              String(u.count),
              u.last,
            ]),
          ),
        );
      io.stdout('\n');
    }
  });
}
