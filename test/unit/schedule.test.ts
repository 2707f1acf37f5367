import { describe, expect, it } from 'vitest';
import { peakRate, profileFromStages, RateProfile } from '../../src/schedule/profile.js';
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

describe('stages (a rate profile, k6 ramping-arrival-rate semantics)', () => {
  const drain = (s: { next(): number | undefined }): number[] => {
    const out: number[] = [];
    for (let t = s.next(); t !== undefined; t = s.next()) out.push(t);
    return out;
  };
  const perSecond = (ts: number[], seconds: number): number[] => {
    const c = Array<number>(seconds).fill(0);
    for (const t of ts) c[Math.floor(t / 1000)]!++;
    return c;
  };

  it('ramps linearly from the start rate to each target, and holds where targets repeat', () => {
    // 0 -> 100 over 2 s, hold 100 for 2 s, 100 -> 0 over 2 s.
    const profile = new RateProfile(
      profileFromStages(0, 0, [
        { durationMs: 2000, target: 100 },
        { durationMs: 2000, target: 100 },
        { durationMs: 2000, target: 0 },
      ]),
    );
    expect(profile.total).toBeCloseTo(100 + 200 + 100, 9);
    expect(profile.cumulative(1000)).toBeCloseTo(25, 9); // area under 0 -> 50 over 1 s
    expect(profile.timeOf(25)).toBeCloseTo(1000, 6);
    expect(profile.timeOf(100)).toBeCloseTo(2000, 6);
    expect(profile.timeOf(300)).toBeCloseTo(4000, 6);
    expect(profile.timeOf(401)).toBeUndefined();
    const ts = drain(
      createSchedule({ arrival: 'constant', rate: 0, startMs: 0, lengthMs: 0, seed: 1, profile }),
    );
    expect(ts.length).toBe(400);
    expect(perSecond(ts, 6)).toEqual([25, 75, 100, 100, 75, 25]);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThan(ts[i - 1]!);
  });

  it('warms up at the start rate before the first stage', () => {
    const profile = new RateProfile(
      profileFromStages(50, 1000, [{ durationMs: 1000, target: 150 }]),
    );
    const ts = drain(
      createSchedule({
        arrival: 'constant',
        rate: 0,
        startMs: 10_000,
        lengthMs: 0,
        seed: 1,
        profile,
      }),
    );
    expect(
      perSecond(
        ts.map((t) => t - 10_000),
        2,
      ),
    ).toEqual([50, 100]);
    expect(peakRate(profile.segments)).toBe(150);
  });

  it('constant shares interleave into the whole profiled schedule', () => {
    const profile = new RateProfile(profileFromStages(10, 0, [{ durationMs: 3000, target: 300 }]));
    const whole = drain(
      createSchedule({ arrival: 'constant', rate: 0, startMs: 0, lengthMs: 0, seed: 1, profile }),
    );
    const parts = [0, 1, 2].flatMap((index) =>
      drain(
        createSchedule({
          arrival: 'constant',
          rate: 0,
          startMs: 0,
          lengthMs: 0,
          seed: 1,
          profile,
          share: { index, count: 3 },
        }),
      ),
    );
    expect(parts.sort((a, b) => a - b)).toEqual(whole);
  });

  it('Poisson arrivals follow the profile (time change), over shares too', () => {
    const profile = new RateProfile(
      profileFromStages(0, 0, [
        { durationMs: 10_000, target: 2000 },
        { durationMs: 10_000, target: 0 },
      ]),
    );
    const ts = [0, 1].flatMap((index) =>
      drain(
        createSchedule({
          arrival: 'poisson',
          rate: 0,
          startMs: 0,
          lengthMs: 0,
          seed: 9,
          profile,
          share: { index, count: 2 },
        }),
      ),
    );
    expect(Math.abs(ts.length - profile.total) / profile.total).toBeLessThan(0.02);
    const c = perSecond(ts, 20);
    // Expected 100, 300, ... 1900 then back down: each second within 4 standard deviations.
    for (let s = 0; s < 20; s++) {
      const expected = profile.cumulative((s + 1) * 1000) - profile.cumulative(s * 1000);
      expect(Math.abs(c[s]! - expected)).toBeLessThan(4 * Math.sqrt(expected) + 1);
    }
  });
});
