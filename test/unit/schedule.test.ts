import { describe, expect, it } from 'vitest';
import { createSchedule, type ScheduleSpec } from '../../src/schedule/arrivals.js';

const drain = (spec: ScheduleSpec): number[] => {
  const s = createSchedule(spec);
  const out: number[] = [];
  for (let t = s.next(); t !== undefined; t = s.next()) out.push(t);
  return out;
};

describe('constant schedule', () => {
  it('issues exactly rate x length slots, evenly spaced from the start', () => {
    const ts = drain({ arrival: 'constant', rate: 2000, startMs: 1000, lengthMs: 3000, seed: 1 });
    expect(ts).toHaveLength(6000);
    expect(ts[0]).toBe(1000);
    expect(ts[1]! - ts[0]!).toBeCloseTo(0.5, 9);
    expect(ts.at(-1)!).toBeCloseTo(1000 + 2999.5, 6);
  });

  it('does not drift over a long run (no accumulated float error)', () => {
    const ts = drain({ arrival: 'constant', rate: 3, startMs: 0, lengthMs: 3_600_000, seed: 1 });
    expect(ts).toHaveLength(10_800);
    expect(ts[9999]).toBeCloseTo((9999 * 1000) / 3, 6);
  });

  it('splits into disjoint shares whose union is the whole schedule', () => {
    const spec: ScheduleSpec = {
      arrival: 'constant',
      rate: 1000,
      startMs: 0,
      lengthMs: 1000,
      seed: 1,
    };
    const whole = drain(spec);
    const parts = [0, 1, 2].map((index) => drain({ ...spec, share: { index, count: 3 } }));
    const union = parts.flat().sort((a, b) => a - b);
    expect(union).toEqual(whole);
    expect(new Set(union).size).toBe(whole.length);
  });
});

describe('poisson schedule', () => {
  it('has the requested mean rate and exponential gaps', () => {
    const ts = drain({ arrival: 'poisson', rate: 1000, startMs: 0, lengthMs: 60_000, seed: 7 });
    expect(ts.length).toBeGreaterThan(59_000);
    expect(ts.length).toBeLessThan(61_000);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    // For an exponential distribution the standard deviation equals the mean.
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = drain({ arrival: 'poisson', rate: 100, startMs: 0, lengthMs: 1000, seed: 3 });
    const b = drain({ arrival: 'poisson', rate: 100, startMs: 0, lengthMs: 1000, seed: 3 });
    const c = drain({ arrival: 'poisson', rate: 100, startMs: 0, lengthMs: 1000, seed: 4 });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('shares at rate/n add up to the total rate', () => {
    const parts = [0, 1].map((index) =>
      drain({
        arrival: 'poisson',
        rate: 2000,
        startMs: 0,
        lengthMs: 20_000,
        seed: 1,
        share: { index, count: 2 },
      }),
    );
    const total = parts[0]!.length + parts[1]!.length;
    expect(total / 20).toBeGreaterThan(1950);
    expect(total / 20).toBeLessThan(2050);
  });
});
