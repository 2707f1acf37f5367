import type { ProbeSample } from '../record/samples.js';

/**
 * Reduces target samples within the measurement window to the result's metrics: peak memory,
 * average CPU, and memory growth as a least-squares slope (robust to one noisy sample, unlike
 * last-minus-first).
 */
export interface TargetSummary {
  mem_mb?: number;
  mem_growth_mb_per_min?: number;
  cpu_pct?: number;
}

export function summarizeTarget(
  samples: readonly ProbeSample[],
  fromMs: number,
  toMs: number,
): TargetSummary {
  const inWindow = samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  if (inWindow.length === 0) return {};
  const out: TargetSummary = { mem_mb: round2(Math.max(...inWindow.map((s) => s.memMb))) };
  const cpus = inWindow.filter((s) => s.cpuPct !== undefined).map((s) => s.cpuPct!);
  if (cpus.length) out.cpu_pct = round2(cpus.reduce((a, b) => a + b, 0) / cpus.length);
  if (inWindow.length >= 3) {
    out.mem_growth_mb_per_min = round2(slope(inWindow.map((s) => [s.atMs / 60_000, s.memMb])));
  }
  return out;
}

/** Ordinary least squares slope of y over x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0,
    sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n,
    my = sy / n;
  let num = 0,
    den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Memory over a long run: the least-squares slope with its 95% interval, and a Theil-Sen
 * slope (median of pairwise slopes) that one heap resize cannot drag up. A leak is
 * suspected only when both slopes and the interval's lower end exceed the threshold.
 */
export interface MemoryTrend {
  samples: number;
  slope_mb_per_min: number;
  ci95_mb_per_min: [number, number];
  theil_sen_mb_per_min: number;
  threshold_mb_per_min: number;
  leak_suspected: boolean;
}

export function memoryTrend(
  samples: readonly ProbeSample[],
  fromMs: number,
  toMs: number,
  thresholdMbPerMin: number,
): MemoryTrend | undefined {
  const pts = samples
    .filter((s) => s.atMs >= fromMs && s.atMs <= toMs)
    .map((s) => [s.atMs / 60_000, s.memMb] as const);
  if (pts.length < 5) return undefined;
  const b = slope(pts);
  const n = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const resid = pts.reduce((a, [x, y]) => a + (y - (my + b * (x - mx))) ** 2, 0);
  const se = sxx > 0 ? Math.sqrt(resid / Math.max(1, n - 2) / sxx) : 0;
  const half = 1.96 * se;
  const pair: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = pts[j]![0] - pts[i]![0];
      if (dx > 0) pair.push((pts[j]![1] - pts[i]![1]) / dx);
    }
  }
  pair.sort((p, q) => p - q);
  const ts = pair.length ? pair[Math.floor(pair.length / 2)]! : 0;
  return {
    samples: n,
    slope_mb_per_min: round2(b),
    ci95_mb_per_min: [round2(b - half), round2(b + half)],
    theil_sen_mb_per_min: round2(ts),
    threshold_mb_per_min: thresholdMbPerMin,
    leak_suspected: b - half > thresholdMbPerMin && ts > thresholdMbPerMin,
  };
}
