import { mulberry32 } from '../schedule/arrivals.js';

/**
 * Confidence intervals on a relative change, by bootstrap: no assumption of normality,
 * which percentiles and rates do not have. Seeded, so the same inputs give the same verdict.
 */
export interface ChangeInterval {
  lowPct: number;
  highPct: number;
  method: 'bootstrap-runs' | 'bootstrap-intervals' | 'sequential-paired';
  n: [number, number];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Percentile bootstrap of (mean(candidate) - mean(baseline)) / |mean(baseline)| in %.
 * `block` > 1 resamples contiguous blocks (per-second series are autocorrelated).
 */
export function bootstrapChange(
  base: readonly number[],
  cand: readonly number[],
  confidence: number,
  iterations: number,
  method: ChangeInterval['method'],
  block = 1,
  seed = 12345,
): ChangeInterval | undefined {
  const rng = mulberry32(seed);
  const stats: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const mb = mean(resample(base, rng, block));
    const mc = mean(resample(cand, rng, block));
    if (mb === 0) {
      if (mc === 0) stats.push(0);
      continue;
    }
    stats.push(((mc - mb) / Math.abs(mb)) * 100);
  }
  if (stats.length < iterations / 2) return undefined; // baseline mean mostly zero: undefined change
  stats.sort((a, b) => a - b);
  const alpha = 1 - confidence;
  return {
    lowPct: quantile(stats, alpha / 2),
    highPct: quantile(stats, 1 - alpha / 2),
    method,
    n: [base.length, cand.length],
  };
}

function resample(xs: readonly number[], rng: () => number, block: number): number[] {
  const out: number[] = [];
  const b = Math.max(1, Math.min(block, xs.length));
  while (out.length < xs.length) {
    const start = Math.floor(rng() * (xs.length - b + 1));
    for (let j = 0; j < b && out.length < xs.length; j++) out.push(xs[start + j]!);
  }
  return out;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Bonferroni: m simultaneous intervals at family confidence c each use 1 - (1 - c) / m. */
export function bonferroni(confidence: number, m: number): number {
  return m <= 1 ? confidence : 1 - (1 - confidence) / m;
}

export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  if (m === 0) return 0;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  return sd / Math.abs(m);
}
