import type { BenchResult } from '../result/result.js';

/**
 * The per-kind table of a mix, as rows of cells, for the console summary and the HTML
 * report alike: each kind's share of the requests, rate, errors and latency.
 */
export const KIND_COLUMNS = [
  'kind',
  'share',
  'requests',
  'req/s',
  'errors',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'max ms',
] as const;

export function kindRows(r: BenchResult): string[][] | undefined {
  const kinds = r.by_kind;
  if (!kinds) return undefined;
  const total = Object.values(kinds).reduce((a, k) => a + k.requests_total, 0);
  return Object.entries(kinds).map(([name, k]) => {
    // Latency is of answered requests: a kind with none has no latency to show.
    const lat = (ms: number): string => (k.requests_total > k.errors_total ? String(ms) : '-');
    return [
      name,
      total ? `${((100 * k.requests_total) / total).toFixed(1)}%` : '-',
      String(k.requests_total),
      String(k.rps),
      `${k.errors_total} (${(k.error_rate * 100).toFixed(2)}%)${fmtClasses(k.errors_by_class)}`,
      lat(k.latency_p50_ms),
      lat(k.latency_p90_ms),
      lat(k.latency_p99_ms),
      lat(k.latency_max_ms),
    ];
  });
}

/** Aligned columns for a terminal. */
export function kindTableText(r: BenchResult): string | undefined {
  const rows = kindRows(r);
  if (!rows) return undefined;
  const all = [[...KIND_COLUMNS], ...rows];
  const widths = KIND_COLUMNS.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all
    .map(
      (row) =>
        `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`,
    )
    .join('\n');
}

function fmtClasses(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length ? ` ${e.map(([k, v]) => `${k}:${v}`).join(',')}` : '';
}
