/** Shared by the benchmarks: percentiles, a printed table, and the JSON result file. */
import { mkdirSync, writeFileSync } from 'node:fs';

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index] as number;
}

export function summarize(samplesMs: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export function report(name: string, rows: Array<Record<string, string | number>>, notes: Record<string, unknown> = {}): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: string | number | undefined) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : (v ?? ''));
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => fmt(r[c])).join(' | ')} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const [key, value] of Object.entries(notes)) process.stdout.write(`${key}: ${JSON.stringify(value)}\n`);
  mkdirSync('.bench-results', { recursive: true });
  writeFileSync(
    `.bench-results/${name}.json`,
    `${JSON.stringify({ name, at: new Date().toISOString(), node: process.version, rows, notes }, null, 2)}\n`,
  );
}
