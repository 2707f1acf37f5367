import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP, SweepController, type StepOutcome } from '../../src/sweep/controller.js';
import { judgeStep, queueGrowth } from '../../src/sweep/judge.js';
import { fitUsl, uslModel } from '../../src/sweep/usl.js';
import type { BenchResult, IntervalRow } from '../../src/result/result.js';

/** A fake target with a hard capacity: passes below it, fails above; achieved = min(offered, cap). */
function drive(ctl: SweepController, cap: number, saturateAt = Infinity): { rates: number[] } {
  const rates: number[] = [];
  for (let n = ctl.next(); n.kind === 'step'; n = ctl.next()) {
    rates.push(n.rate);
    const o: StepOutcome = {
      offered: n.rate,
      achieved: Math.min(n.rate, cap),
      pass: n.rate <= cap,
      reasons: n.rate <= cap ? [] : ['latency: p99 900 ms > SLO 200 ms'],
      generatorSaturated: n.rate >= saturateAt,
    };
    ctl.record(o);
    if (rates.length > 50) throw new Error('did not converge');
  }
  return { rates };
}

describe('SweepController', () => {
  it('abandoned mid-way, reports what passed as a floor, once', () => {
    const ctl = new SweepController({ ...DEFAULT_SWEEP, startRps: 100 });
    ctl.record({ offered: 100, achieved: 100, pass: true, reasons: [], generatorSaturated: false });
    expect(ctl.next()).toEqual({ kind: 'step', rate: 200 });
    ctl.abandon('agents gone');
    ctl.abandon('second call changes nothing');
    const v = ctl.next();
    if (v.kind !== 'done') throw new Error('not done');
    expect(v.verdict).toMatchObject({
      maxSustainableRps: 100,
      atLeast: true,
      breakingPoint: null,
      stopReason: 'agents gone',
      generatorLimited: true,
    });
  });

  it('brackets geometrically, then bisects to within the resolution', () => {
    const ctl = new SweepController({ ...DEFAULT_SWEEP, startRps: 100, resolution: 0.05 });
    const { rates } = drive(ctl, 2000);
    expect(rates.slice(0, 6)).toEqual([100, 200, 400, 800, 1600, 3200]);
    const v = ctl.next();
    if (v.kind !== 'done') throw new Error('not done');
    expect(v.verdict.maxSustainableRps!).toBeGreaterThan(2000 * 0.95);
    expect(v.verdict.maxSustainableRps!).toBeLessThanOrEqual(2000);
    expect(v.verdict.breakingPoint!.rps).toBeGreaterThan(2000);
    expect(v.verdict.breakingPoint!.reason).toContain('latency');
    expect(v.verdict.atLeast).toBe(false);
    // Far fewer steps than a linear ramp of 100 req/s would need (20 to reach 2000).
    expect(rates.length).toBeLessThan(12);
  });

  it('walks down when even the first step fails', () => {
    const ctl = new SweepController({ ...DEFAULT_SWEEP, startRps: 1000 });
    drive(ctl, 300);
    const v = ctl.next();
    if (v.kind !== 'done') throw new Error('not done');
    expect(v.verdict.maxSustainableRps!).toBeGreaterThan(300 * 0.95);
    expect(v.verdict.maxSustainableRps!).toBeLessThanOrEqual(300);
  });

  it('a saturated generator is not a target failure: "at least" the best passing rate', () => {
    const ctl = new SweepController({ ...DEFAULT_SWEEP, startRps: 100 });
    drive(ctl, 1e9, 1600);
    const v = ctl.next();
    if (v.kind !== 'done') throw new Error('not done');
    expect(v.verdict).toMatchObject({
      maxSustainableRps: 800,
      atLeast: true,
      breakingPoint: null,
      generatorLimited: true,
    });
    expect(v.verdict.stopReason).toContain('saturated');
    // One retry of the saturated rate before giving up.
    expect(ctl.history.filter((h) => h.generatorSaturated)).toHaveLength(2);
  });

  it('a one-off generator hiccup is retried and the search goes on', () => {
    const ctl = new SweepController({ ...DEFAULT_SWEEP, startRps: 100 });
    let hiccup = true;
    for (let n = ctl.next(); n.kind === 'step'; n = ctl.next()) {
      const saturated = n.rate === 1600 && hiccup;
      if (saturated) hiccup = false;
      ctl.record({
        offered: n.rate,
        achieved: Math.min(n.rate, 2000),
        pass: n.rate <= 2000,
        reasons: n.rate <= 2000 ? [] : ['latency'],
        generatorSaturated: saturated,
      });
    }
    const v = ctl.next();
    expect(v.kind === 'done' && v.verdict.atLeast).toBe(false);
    expect(v.kind === 'done' && v.verdict.generatorLimited).toBe(false);
    expect(v.kind === 'done' && v.verdict.maxSustainableRps).toBeGreaterThan(1900);
  });

  it('stops at --max without a failure, and at the step limit', () => {
    const a = new SweepController({ ...DEFAULT_SWEEP, startRps: 100, maxRps: 500 });
    expect(drive(a, 1e9).rates).toEqual([100, 200, 400, 500]);
    const va = a.next();
    // "At least" because --max stopped it, but the generator was fine: a valid sweep.
    expect(va.kind === 'done' && va.verdict).toMatchObject({
      maxSustainableRps: 500,
      atLeast: true,
      generatorLimited: false,
    });
    const b = new SweepController({ ...DEFAULT_SWEEP, startRps: 100, maxSteps: 3 });
    expect(drive(b, 1e9).rates).toHaveLength(3);
  });
});

function result(
  over: Partial<BenchResult['metrics']>,
  intervals: Partial<IntervalRow>[] = [],
  errorsByClass: Record<string, number> = {},
): BenchResult {
  const metrics = {
    target_rps: 1000,
    rps: 1000,
    requests_total: 10_000,
    latency_p50_ms: 1,
    latency_p90_ms: 2,
    latency_p95_ms: 3,
    latency_p99_ms: 5,
    latency_p999_ms: 8,
    latency_max_ms: 10,
    latency_mean_ms: 1.2,
    errors_total: 0,
    error_rate: 0,
    timeouts_total: 0,
    backpressure_total: 0,
    ...over,
  };
  return {
    metrics,
    errors_by_class: errorsByClass,
    run: { duration_s: intervals.length || 10 },
    intervals: intervals.map((iv, t) => ({
      t,
      rps: 1000,
      sent: 1000,
      ok: 1000,
      errors: 0,
      timeouts: 0,
      backpressure: 0,
      in_flight_max: 1,
      p50_ms: 1,
      p90_ms: 2,
      p99_ms: 5,
      max_ms: 9,
      mean_ms: 1,
      ...iv,
    })),
  } as unknown as BenchResult;
}

describe('judgeStep', () => {
  const slo = { p99Ms: 200, maxErrorRate: 0.001, minAchievedRatio: 0.98 };
  it('passes a healthy step', () =>
    expect(judgeStep(result({}), slo)).toEqual({ pass: true, reasons: [] }));
  it('names latency, throughput, errors and backpressure', () => {
    expect(judgeStep(result({ latency_p99_ms: 250 }), slo).reasons[0]).toMatch(
      /^latency: p99 250 ms > SLO 200 ms/,
    );
    expect(judgeStep(result({ rps: 970 }), slo).reasons[0]).toMatch(
      /^throughput: achieved 970 of 1000/,
    );
    expect(
      judgeStep(result({ error_rate: 0.01, errors_total: 100 }, [], { http_5xx: 100 }), slo)
        .reasons[0],
    ).toMatch(/^errors: .*http_5xx 100/);
    expect(
      judgeStep(
        result({ error_rate: 0.01, errors_total: 100, backpressure_total: 100 }, [], {
          http_503: 100,
        }),
        slo,
      ).reasons[0],
    ).toMatch(/^backpressure:/);
  });
  it('detects a queue that keeps growing through the step, not noise', () => {
    const growing = Array.from({ length: 9 }, (_, t) => ({
      in_flight_max: 10 + t * 40,
      p50_ms: 1 + t * 20,
    }));
    expect(queueGrowth(result({}, growing))).toMatch(/queue growth: in flight \d+ -> \d+/);
    const noisy = Array.from({ length: 9 }, (_, t) => ({
      in_flight_max: 5 + (t % 2) * 3,
      p50_ms: 1 + (t % 3),
    }));
    expect(queueGrowth(result({}, noisy))).toBeUndefined();
  });
});

describe('USL fit', () => {
  it('recovers the peak of a known curve', () => {
    const truth = { lambda: 1000, sigma: 0.05, kappa: 0.001 };
    const model = uslModel([truth.lambda, truth.sigma, truth.kappa]);
    const points = [1, 2, 4, 8, 16, 24, 32, 48, 64].map((n) => ({
      concurrency: n,
      rps: model(n) * (1 + (n % 3 === 0 ? 0.01 : -0.01)),
    }));
    const fit = fitUsl(points)!;
    const peakN = Math.sqrt((1 - truth.sigma) / truth.kappa);
    expect(fit.peak_concurrency!).toBeGreaterThan(peakN * 0.85);
    expect(fit.peak_concurrency!).toBeLessThan(peakN * 1.15);
    expect(fit.predicted_peak_rps!).toBeGreaterThan(model(peakN) * 0.95);
    expect(fit.predicted_peak_rps!).toBeLessThan(model(peakN) * 1.05);
    expect(fit.r2).toBeGreaterThan(0.98);
  });
  it('needs at least four points', () =>
    expect(fitUsl([{ concurrency: 1, rps: 1 }])).toBeUndefined());
});
