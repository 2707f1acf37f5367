import { bonferroni } from './stats.js';
import { halfWidth, meanSd } from './sequential.js';
import { isRelative } from './evaluate.js';
import type { Policy } from './policy.js';
import { pctOfLog, type Pair } from './compare.js';

/**
 * `perf-gate calibrate --interleaved`: from an A/A comparison (the same code on both sides,
 * a fixed number of pairs), the noise of one pair's change per metric and the smallest change
 * `perf-gate compare` can tell apart within a budget: the half-width its confidence sequence
 * reaches after as many pairs as the budget holds. A relative rule with tolerance X then
 * calls regressions larger than about X + MDE, and passes unchanged code only if MDE < X.
 */
export interface MdeRow {
  metric: string;
  /** The rule's id, when the row comes from a policy rule. */
  rule?: string;
  pairs: number;
  /** Standard deviation of one pair's relative change, in %. */
  noise_pct: number;
  /** Mean A/A change, in %: two "identical" instances are rarely identical. */
  aa_change_pct: number;
  budget_pairs: number;
  mde_pct: number;
  tolerance_pct?: number;
  confidence: number;
}

export const DEFAULT_MDE_METRICS = ['latency_p50_ms', 'latency_p90_ms', 'latency_p99_ms', 'rps'];

export function mdeTable(
  pairs: readonly Pair[],
  pairSeconds: number,
  budgetSeconds: number,
  confidence: number,
  policy?: Policy,
): MdeRow[] {
  const targets = policy
    ? policy.rules
        .filter(isRelative)
        .map((r) => ({ metric: policy.aliases[r.metric] ?? r.metric, rule: r.id, limit: r.limit }))
    : DEFAULT_MDE_METRICS.map((metric) => ({ metric, rule: undefined, limit: undefined }));
  const conf = bonferroni(confidence, targets.length);
  const budgetPairs = Math.max(0, Math.floor(budgetSeconds / pairSeconds));
  const rows: MdeRow[] = [];
  for (const t of targets) {
    const d: number[] = [];
    for (const p of pairs) {
      const a = p.baseline.metrics[t.metric];
      const b = p.candidate.metrics[t.metric];
      if (typeof a === 'number' && typeof b === 'number' && a > 0 && b > 0) d.push(Math.log(b / a));
    }
    if (d.length < 2) continue;
    const { mean, sd } = meanSd(d);
    const half = halfWidth(budgetPairs, sd, 1 - conf);
    rows.push({
      metric: t.metric,
      ...(t.rule ? { rule: t.rule } : {}),
      pairs: d.length,
      noise_pct: round2(pctOfLog(sd)),
      aa_change_pct: round2(pctOfLog(mean)),
      budget_pairs: budgetPairs,
      mde_pct: Number.isFinite(half) ? round2(pctOfLog(half)) : Infinity,
      ...(t.limit !== undefined ? { tolerance_pct: t.limit } : {}),
      confidence: Math.round(conf * 1e5) / 1e5,
    });
  }
  return rows;
}

export function mdeWarnings(rows: readonly MdeRow[]): string[] {
  return rows
    .filter((r) => r.tolerance_pct !== undefined && !(r.mde_pct < r.tolerance_pct))
    .map(
      (r) =>
        `${r.rule}: tolerance ${r.tolerance_pct}% is within the noise the budget can resolve (${r.mde_pct}% after ${r.budget_pairs} pairs): unchanged code will end inconclusive; raise the budget or the tolerance`,
    );
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
