import { describe, expect, it } from 'vitest';
import {
  criticalT,
  intersect,
  logBayesFactor,
  meanConfidenceSequence,
  type MeanInterval,
} from '../../src/gate/sequential.js';
import { mulberry32 } from '../../src/schedule/arrivals.js';

/** Standard normal draws from a seeded stream (Box-Muller), so every run sees the same data. */
function normals(seed: number): () => number {
  const rng = mulberry32(seed);
  return () => {
    let u = 0;
    while (u === 0) u = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
}

/** Peeks after every observation, as `perf-gate compare` does after every pair. */
function everExcludes(draw: () => number, truth: number, sd: number, looks: number): boolean {
  const xs: number[] = [];
  for (let n = 1; n <= looks; n++) {
    xs.push(truth + sd * draw());
    const iv = meanConfidenceSequence(xs, 0.05);
    if (iv.low > truth || iv.high < truth) return true;
  }
  return false;
}

describe('the t confidence sequence', () => {
  it('the Bayes factor is 1 at t = 0 shrunk by the prior, and rises with |t|', () => {
    expect(logBayesFactor(0, 10, 1)).toBeCloseTo(-0.5 * Math.log(11), 12);
    expect(logBayesFactor(3, 10, 1)).toBeGreaterThan(logBayesFactor(2, 10, 1));
    expect(logBayesFactor(-3, 10, 1)).toBeCloseTo(logBayesFactor(3, 10, 1), 12);
  });

  it('has no finite critical value while n is too small, then one above the fixed-n t quantile', () => {
    // (1 + 4)^(3/2) = 11.2 < 20: four pairs can never reach 1/0.05.
    expect(criticalT(4, 0.05, 1)).toBe(Infinity);
    const t5 = criticalT(5, 0.05, 1);
    expect(Number.isFinite(t5)).toBe(true);
    expect(logBayesFactor(t5, 5, 1)).toBeCloseTo(Math.log(20), 6);
    // Wider than the fixed-n 97.5% t quantile (2.09 at 19 df): the price of peeking.
    const t20 = criticalT(20, 0.05, 1);
    expect(t20).toBeGreaterThan(2.09);
    expect(t20).toBeLessThan(t5);
    expect(criticalT(20, 0.01, 1)).toBeGreaterThan(t20);
  });

  it('keeps its error rate when peeked at after every pair (true mean excluded at any of 40 looks)', () => {
    const reps = 2000;
    for (const [seed, truth, sd] of [
      [1, 0, 1],
      [2, 0.09, 0.05],
      [3, -0.2, 0.02],
    ] as const) {
      const draw = normals(seed);
      let misses = 0;
      for (let r = 0; r < reps; r++) if (everExcludes(draw, truth, sd, 40)) misses++;
      // alpha = 0.05; the Monte Carlo standard error at 2000 runs is 0.005.
      expect(misses / reps).toBeLessThan(0.05);
    }
  });

  it('a fixed-n t-interval peeked at the same way fails far more often (why a sequence is needed)', () => {
    const draw = normals(4);
    const t975 = (df: number): number =>
      df >= 30 ? 2.04 : ([12.71, 4.3, 3.18, 2.78, 2.57][df - 1] ?? 2.3);
    let misses = 0;
    for (let r = 0; r < 1000; r++) {
      const xs: number[] = [];
      for (let n = 1; n <= 40; n++) {
        xs.push(draw());
        if (n < 2) continue;
        const m = xs.reduce((a, b) => a + b, 0) / n;
        const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
        if (Math.abs(m) > (t975(n - 1) * sd) / Math.sqrt(n)) {
          misses++;
          break;
        }
      }
    }
    expect(misses / 1000).toBeGreaterThan(0.15);
  });

  it('decides a 9% change against a 5% tolerance, and an A/A within it, from 5%-noise pairs', () => {
    const decide = (effect: number, seed: number): { verdict: string; n: number } => {
      const draw = normals(seed);
      const xs: number[] = [];
      let iv: MeanInterval | undefined;
      for (let n = 1; n <= 60; n++) {
        xs.push(effect + 0.05 * draw());
        iv = intersect(iv, meanConfidenceSequence(xs, 0.025));
        if (iv.low > 0.05) return { verdict: 'regression', n };
        if (iv.high <= 0.05) return { verdict: 'pass', n };
      }
      return { verdict: 'inconclusive', n: 60 };
    };
    const runs = (effect: number) => Array.from({ length: 200 }, (_, i) => decide(effect, 100 + i));
    const slower = runs(0.09);
    const same = runs(0);
    expect(slower.filter((r) => r.verdict === 'regression').length).toBeGreaterThanOrEqual(190);
    expect(slower.filter((r) => r.verdict === 'pass').length).toBe(0);
    expect(same.filter((r) => r.verdict === 'pass').length).toBeGreaterThanOrEqual(195);
    expect(same.filter((r) => r.verdict === 'regression').length).toBe(0);
  });

  it('identical differences give a point interval once n can decide; one difference gives none', () => {
    const same = (n: number) => meanConfidenceSequence(Array<number>(n).fill(0.1), 0.05);
    // Even identical pairs prove nothing until n can reach 1/alpha (5 pairs at g = 1).
    expect(same(4)).toMatchObject({ low: -Infinity, high: Infinity });
    expect(same(5).low).toBeCloseTo(0.1, 12);
    expect(same(5).high).toBeCloseTo(0.1, 12);
    expect(meanConfidenceSequence([0.1], 0.05)).toMatchObject({ low: -Infinity, high: Infinity });
  });

  it('the running intersection only narrows, and keeps the newest when they do not meet', () => {
    const a = { low: -1, high: 2, mean: 0.5, n: 5 };
    const b = { low: 0, high: 3, mean: 1.5, n: 6 };
    expect(intersect(a, b)).toMatchObject({ low: 0, high: 2, n: 6 });
    const c = { low: 5, high: 6, mean: 5.5, n: 7 };
    expect(intersect(a, c)).toEqual(c);
    expect(intersect(undefined, a)).toEqual(a);
  });
});
