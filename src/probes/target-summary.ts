import type { ProbeSample } from './proc-probe.js';

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
