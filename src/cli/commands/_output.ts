/**
 * Output: `-o/--output`, JSON or YAML for machines, aligned tables for people. Private to the
 * CLI.
 */
import { Option, type Command } from 'commander';
import type { CliIo } from '../io.js';

/** Adds `-o/--output` with the given choices. */
export function addOutputFlag(cmd: Command, choices: readonly string[]): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices([...choices]));
}

/** Prints data as JSON or YAML (the YAML writer is loaded only when asked: cold start). */
export async function printData(io: CliIo, format: 'json' | 'yaml', data: unknown): Promise<void> {
  if (format === 'json') {
    io.stdout(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const { dump } = await import('js-yaml');
  io.stdout(dump(data, { noRefs: true, lineWidth: -1 }));
}

/** A simple aligned two-column table. */
export function keyValueTable(rows: readonly (readonly [string, string | undefined])[]): string {
  const present = rows.filter(([, v]) => v !== undefined && v !== '') as [string, string][];
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}\n`).join('');
}

/** An aligned table with a header row. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
