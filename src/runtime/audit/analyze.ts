/**
 * `analyzeAuditLog`: streams audit logs into an `AuditUsage` (constant memory: one line at a
 * time, aggregates bounded by the variety of requests), counting malformed lines instead of
 * failing on them.
 */
import { AuditUsage, type AuditUsageReport, type RequestUsage } from '../../rbac/audit-usage.js';
import { AuditEventScanner } from './event-scan.js';
import { forEachLogLineBytes } from './log-lines.js';

/** A line that is not an audit event: where it is and why (never its content, which may hold a credential). */
export interface MalformedLine {
  /** The file, or `(stdin)`. */
  readonly source: string;
  /** 1-based line number. */
  readonly line: number;
  /** Why it was skipped. */
  readonly problem: string;
}

/** Options of `analyzeAuditLog`. */
export interface AnalyzeAuditLogOptions {
  /** Standard input, read for the path `-`. @default process.stdin */
  readonly stdin?: AsyncIterable<string | Uint8Array>;
  /** Names, token ids and request kinds kept per entry. @default 20 */
  readonly maxNames?: number;
  /**
   * Only this identity's requests in `report` and `usage` (as the API server names it, e.g.
   * `system:serviceaccount:NS:NAME`); much faster on a large log when one identity is wanted:
   * a line that does not hold the name as a JSON string (`"NAME"`, as the API server writes
   * it) is not parsed, unless it looks malformed (not `{...}`). So `report.minting` and
   * `report.tokens` then cover only the events that mention it, and `malformed` only lines
   * that mention it or do not look like one object. A name with characters that JSON writers
   * may escape (`"`, `\`, `/`, `<`, `>`, `&`, anything outside printable ASCII) disables the
   * shortcut: every line is parsed.
   * @default - every identity
   */
  readonly identity?: string;
  /** Malformed lines listed (all are counted). @default 10 */
  readonly maxMalformedListed?: number;
}

/** The outcome of `analyzeAuditLog`. */
export interface AuditLogAnalysis {
  /** Usage per identity, token minting and token use. */
  readonly report: AuditUsageReport;
  /** Every request kind (all identities), for `rulesFromUsage` and `auditDrift`. */
  readonly usage: readonly RequestUsage[];
  /** Files read, in order. */
  readonly files: readonly string[];
  /** Non-empty lines read. */
  readonly lines: number;
  /** Lines that were not audit events (invalid JSON, not an Event, too long). */
  readonly malformed: number;
  /** The first malformed lines, for the user to look at. */
  readonly malformedLines: readonly MalformedLine[];
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The identity as it appears in every event that names it, a JSON string, when JSON writers
 * cannot write it otherwise; else undefined (every line must then be parsed).
 */
function mentionOf(identity: string | undefined): Buffer | undefined {
  if (identity === undefined || !/^[\x20-\x7e]+$/.test(identity) || /["\\/<>&]/.test(identity))
    return undefined;
  return Buffer.from(`"${identity}"`, 'latin1');
}

/**
 * Reads audit logs (JSON lines; gzip; folders of rotated files; `-` for standard input) and
 * aggregates who did what, token minting and token use. Malformed lines are counted, not
 * fatal; a file that cannot be read throws, naming it.
 */
export async function analyzeAuditLog(
  paths: readonly string[],
  options: AnalyzeAuditLogOptions = {},
): Promise<AuditLogAnalysis> {
  const usage = new AuditUsage({ maxNames: options.maxNames });
  const maxListed = options.maxMalformedListed ?? 10;
  const malformedLines: MalformedLine[] = [];
  let malformed = 0;
  const skip = (source: string, line: number, problem: string) => {
    malformed++;
    if (malformedLines.length < maxListed) malformedLines.push({ source, line, problem });
  };
  const mention = mentionOf(options.identity);
  const parse = (text: string, source: string, line: number) => {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      skip(source, line, 'not valid JSON');
      return;
    }
    // A webhook backend posts batches: one EventList per line when its bodies are logged.
    const batch = event as { kind?: unknown; items?: unknown };
    if (batch?.kind === 'EventList' && Array.isArray(batch.items)) {
      for (const item of batch.items) {
        const problem = usage.add(item);
        if (problem) skip(source, line, `EventList item: ${problem}`);
      }
      return;
    }
    const problem = usage.add(event);
    if (problem) skip(source, line, problem);
  };
  const scanner = new AuditEventScanner();
  const stats = await forEachLogLineBytes(
    paths,
    (buf, start, end, source, line) => {
      if (
        mention !== undefined &&
        buf[start] === OPEN_BRACE &&
        buf[end - 1] === CLOSE_BRACE &&
        buf.subarray(start, end).indexOf(mention) < 0
      )
        return;
      // Most lines are read straight from their bytes; the rest (malformed or unusual) are
      // parsed, which decides what they hold.
      if (scanner.scan(buf, start, end)) usage.addEvent(scanner);
      else parse(buf.toString('utf8', start, end), source, line);
    },
    // process.stdin is opened only when asked for (opening it costs time and can hold the process).
    { stdin: paths.includes('-') ? (options.stdin ?? process.stdin) : undefined },
  );
  malformed += stats.oversized;
  const report = usage.report(options.identity);
  return {
    report,
    usage: report.identities.flatMap((i) => i.requests),
    files: stats.files,
    lines: stats.lines + stats.oversized,
    malformed,
    malformedLines,
  };
}
