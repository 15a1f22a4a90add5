/**
 * A baseline of accepted findings (`--baseline FILE`, written by `--write-baseline`), so that a
 * team adopts the lint on a large estate and fails only on new findings. It holds fingerprints
 * (`fingerprintOf`), with what each was for people reading the file.
 */
import type { Finding } from './finding.js';
import { fingerprintsOf } from './finding-fingerprint.js';

/** The baseline file's content. */
export interface Baseline {
  /** Format version; 1. */
  readonly version: 1;
  /** One entry per finding accepted when the baseline was written. */
  readonly findings: readonly {
    /** `fingerprintOf` the finding. */
    readonly fingerprint: string;
    /** The risk rule. */
    readonly id: string;
    /** `Kind namespace/name`, for people. */
    readonly object: string;
  }[];
}

/** The baseline of these findings (the unacknowledged ones), sorted by fingerprint. */
export function baselineOf(findings: readonly Finding[]): Baseline {
  const prints = fingerprintsOf(findings);
  const entries = findings
    .map((f, i) => ({ f, fingerprint: prints[i] }))
    .filter(({ f }) => f.acknowledgedReason === undefined)
    .map(({ f, fingerprint }) => {
      const l = f.location;
      const object = l ? `${l.kind} ${l.namespace ? `${l.namespace}/` : ''}${l.name}` : '';
      return { fingerprint, id: f.id, object };
    })
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  return { version: 1, findings: entries };
}

/** Reads a baseline's JSON text; throws naming the file when it is not one. */
export function parseBaseline(text: string, source: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`baseline ${source} is not JSON: ${(err as Error).message}`);
  }
  const b = doc as Partial<Baseline> | null;
  if (
    b?.version !== 1 ||
    !Array.isArray(b.findings) ||
    b.findings.some((f) => typeof f?.fingerprint !== 'string')
  )
    throw new Error(
      `baseline ${source} must be {"version": 1, "findings": [{"fingerprint": ...}]} as written by --write-baseline`,
    );
  return b as Baseline;
}

/** Marks the findings the baseline holds as `baselined` (they then fail nothing). */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline): Finding[] {
  const known = new Set(baseline.findings.map((f) => f.fingerprint));
  const prints = fingerprintsOf(findings);
  return findings.map((f, i) => (known.has(prints[i]) ? { ...f, baselined: true } : f));
}
