import { describe, expect, it } from 'vitest';
import { slope, summarizeTarget } from '../../src/result/target-summary.js';

describe('target summary', () => {
  it('reports memory growth as a least-squares slope per minute', () => {
    // 2 MB per 6 s = 20 MB/min, with noise that a last-minus-first estimate would amplify.
    const samples = Array.from({ length: 30 }, (_, i) => ({
      atMs: i * 1000,
      memMb: 100 + (i * 20) / 60 + (i % 2 ? 0.5 : -0.5),
      cpuPct: 50,
    }));
    const s = summarizeTarget(samples, 0, 30_000);
    expect(s.mem_growth_mb_per_min).toBeGreaterThan(18);
    expect(s.mem_growth_mb_per_min).toBeLessThan(22);
    expect(s.cpu_pct).toBe(50);
    expect(s.mem_mb).toBeCloseTo(100 + (29 * 20) / 60 + 0.5, 1);
  });

  it('is flat for a flat series and ignores samples outside the window', () => {
    const samples = Array.from({ length: 20 }, (_, i) => ({
      atMs: i * 1000,
      memMb: i < 5 ? 10 : 50,
    }));
    expect(summarizeTarget(samples, 5000, 19_000).mem_growth_mb_per_min).toBe(0);
    expect(slope([[0, 1]])).toBe(0);
  });

  it('reports nothing without samples', () => expect(summarizeTarget([], 0, 1)).toEqual({}));
});
