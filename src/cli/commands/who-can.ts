/**
 * `access-tokens who-can VERB TYPE[/NAME] --manifests PATH... [-n NS | -A] [--subresource S]`:
 * every subject that a binding in the manifests allows to make the request, offline. The
 * arguments read as in `can-i` (kubectl's form; the namespace defaults to `default`).
 * Exit 0 whether or not anyone can; 2 for usage errors.
 */
import type { Command } from 'commander';
import type { WhoCanEntry } from '../../rbac/authorizer.js';
import type { AccessRequest } from '../../rbac/policy-rule.js';
import type { CliIo, SetExitCode } from '../io.js';
import { addOutputFlag, printData, table } from './_output.js';
import { addQueryFlags, loadPolicy, parseQuery, type QueryFlags } from './_offline-query.js';

/**
 * A ServiceAccount subject without a namespace means the binding's namespace, which for a
 * RoleBinding that applies is the request's.
 */
function subjectNamespace(entry: WhoCanEntry, request: AccessRequest): string {
  const { subject } = entry;
  if (
    subject.namespace ||
    subject.kind !== 'ServiceAccount' ||
    !entry.binding.startsWith('RoleBinding ')
  ) {
    return subject.namespace ?? '';
  }
  return 'namespace' in request ? (request.namespace ?? '') : '';
}

interface WhoCanFlags extends QueryFlags {
  readonly output?: 'json' | 'yaml';
}

/** Registers `who-can`. */
export function registerWhoCan(program: Command, io: CliIo, _setExitCode: SetExitCode): void {
  const cmd = program
    .command('who-can <verb> <target>')
    .description(
      'list the subjects that the RBAC objects in --manifests allow to do VERB on TYPE[/NAME] (or a /non-resource/url)',
    )
    .option('-n, --namespace <ns>', 'the namespace of the request (default: "default")');
  addQueryFlags(cmd);
  cmd.requiredOption(
    '--manifests <path...>',
    'the YAML/JSON files or folders whose RBAC objects to read',
  );
  addOutputFlag(cmd, ['json', 'yaml']);
  cmd.action(async (verb: string, target: string, flags: WhoCanFlags) => {
    const { authorizer, servedGroups } = await loadPolicy(flags.manifests ?? [], io, flags);
    const { request, warnings } = await parseQuery(verb, target, flags, { servedGroups });
    for (const w of warnings) io.stderr(`warning: ${w}\n`);
    const entries = authorizer.whoCan(request);
    if (flags.output) {
      await printData(io, flags.output, { request, subjects: entries });
      return;
    }
    if (entries.length === 0) {
      const { describeAccessRequest } = await import('../../rbac/access-query.js');
      io.stderr(`no subject may ${describeAccessRequest(request)}\n`);
      return;
    }
    io.stdout(
      table(
        ['KIND', 'NAMESPACE', 'NAME', 'BINDING', 'ROLE'],
        entries.map((e) => [
          e.subject.kind,
          subjectNamespace(e, request),
          e.subject.name,
          e.binding,
          e.role,
        ]),
      ),
    );
  });
}
