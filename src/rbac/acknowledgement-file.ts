/**
 * Acknowledgements kept outside the manifests (`--acknowledgements FILE`), for third-party
 * charts nobody may edit: each names a risk rule, the objects it covers (kind, namespace and
 * name, with `*` and `?` globs) and a reason of at least `MIN_REASON_LENGTH` characters. One
 * that matches no finding is stale and reported, so that the file does not rot.
 */
import { load, YAMLException } from 'js-yaml';
import type { Finding } from './finding.js';
import { isRiskId, RISK_RULES } from './risks/risk-rules.js';

/** The shortest reason an acknowledgement may give (as on objects and constructs). */
const MIN_REASON = 10;

/** One entry of an acknowledgement file. */
export interface FileAcknowledgement {
  /** The risk rule's id, e.g. `secrets-read`. */
  readonly rule: string;
  /** The object's kind, e.g. `ClusterRole`; globs allowed. */
  readonly kind: string;
  /** The object's namespace (`''` for cluster-scoped objects); globs allowed. @default '*' */
  readonly namespace: string;
  /** The object's name; globs allowed. */
  readonly name: string;
  /** Why the risk is accepted, for reviewers. */
  readonly reason: string;
}

/** What an acknowledgement file holds, and what is wrong in it. */
export interface AcknowledgementFile {
  /** The valid entries. */
  readonly acknowledgements: readonly FileAcknowledgement[];
  /** Entries that acknowledge nothing, with why (naming the entry's index and field). */
  readonly problems: readonly string[];
}

/** Whether `value` matches the glob `pattern` (`*` any run of characters, `?` one). */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/**
 * Parses an acknowledgement file: YAML (or JSON) `acknowledgements:` (or a top-level list) of
 * `{ rule, object: { kind, namespace, name } | "Kind/namespace/name", reason }`. Throws when the
 * text is not such a document; entries with problems are listed and left out.
 */
export function parseAcknowledgementFile(text: string, source: string): AcknowledgementFile {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    throw new Error(
      `cannot parse acknowledgements file ${source} at line ${err.mark.line + 1}: ${err.reason}`,
    );
  }
  const list = Array.isArray(doc)
    ? doc
    : (doc as { acknowledgements?: unknown } | null)?.acknowledgements;
  if (!Array.isArray(list))
    throw new Error(
      `acknowledgements file ${source} must hold a list under 'acknowledgements:' of {rule, object, reason}`,
    );
  const acknowledgements: FileAcknowledgement[] = [];
  const problems: string[] = [];
  list.forEach((raw: unknown, i) => {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const at = `${source}: acknowledgements[${i}]`;
    const rule = typeof entry.rule === 'string' ? entry.rule : '';
    if (!isRiskId(rule)) {
      problems.push(
        `${at}: rule '${String(entry.rule)}' is unknown, expected one of: ${RISK_RULES.map((r) => r.id).join(', ')}`,
      );
      return;
    }
    const reason = typeof entry.reason === 'string' ? entry.reason.trim() : '';
    if (reason.length < MIN_REASON) {
      problems.push(`${at}: reason must be at least ${MIN_REASON} characters, got '${reason}'`);
      return;
    }
    const object = objectOf(entry.object);
    if (!object) {
      problems.push(
        `${at}: object must be {kind, namespace, name} or 'Kind/namespace/name' (globs allowed), got ${JSON.stringify(entry.object)}`,
      );
      return;
    }
    acknowledgements.push({ rule, reason, ...object });
  });
  return { acknowledgements, problems };
}

function objectOf(
  value: unknown,
): Pick<FileAcknowledgement, 'kind' | 'namespace' | 'name'> | undefined {
  if (typeof value === 'string') {
    const parts = value.split('/');
    if (parts.length === 2 && parts.every((p) => p !== ''))
      return { kind: parts[0], namespace: '', name: parts[1] };
    if (parts.length === 3 && parts[0] !== '' && parts[2] !== '')
      return { kind: parts[0], namespace: parts[1], name: parts[2] };
    return undefined;
  }
  const o = value as { kind?: unknown; namespace?: unknown; name?: unknown } | undefined;
  if (typeof o?.kind !== 'string' || typeof o.name !== 'string' || o.kind === '' || o.name === '')
    return undefined;
  return {
    kind: o.kind,
    namespace: typeof o.namespace === 'string' ? o.namespace : '*',
    name: o.name,
  };
}

function covers(ack: FileAcknowledgement, finding: Finding): boolean {
  const l = finding.location;
  return (
    ack.rule === finding.id &&
    globMatches(ack.kind, l?.kind ?? '') &&
    globMatches(ack.namespace, l?.namespace ?? '') &&
    globMatches(ack.name, l?.name ?? '')
  );
}

/**
 * Marks each finding that an entry covers (and no annotation acknowledged already) with the
 * entry's reason; returns the findings and the entries that covered none (stale).
 */
export function applyFileAcknowledgements(
  findings: readonly Finding[],
  acknowledgements: readonly FileAcknowledgement[],
): { findings: Finding[]; stale: FileAcknowledgement[] } {
  const used = new Set<FileAcknowledgement>();
  const marked = findings.map((finding) => {
    const ack = acknowledgements.find((a) => covers(a, finding));
    if (!ack) return finding;
    used.add(ack);
    return finding.acknowledgedReason === undefined
      ? { ...finding, acknowledgedReason: ack.reason }
      : finding;
  });
  return { findings: marked, stale: acknowledgements.filter((a) => !used.has(a)) };
}

/** `secrets-read on ClusterRole cert-manager-*`. */
export function formatFileAcknowledgement(ack: FileAcknowledgement): string {
  const ns = ack.namespace === '' ? '' : `${ack.namespace}/`;
  return `${ack.rule} on ${ack.kind} ${ns}${ack.name}`;
}
