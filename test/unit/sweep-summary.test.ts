import { describe, expect, it } from 'vitest';
import { sweepInvalidLine, sweepSummary } from '../../src/run/sweep.js';
import type { SweepReport, SweepStep } from '../../src/sweep/report.js';

const step = (offered: number, over: Partial<SweepStep> = {}): SweepStep => ({
  offered_rps: offered,
  achieved_rps: offered,
  p50_ms: 5,
  mean_ms: 5,
  concurrency: 1,
  p90_ms: 6,
  p99_ms: 8,
  p999_ms: 9,
  max_ms: 10,
  error_rate: 0,
  errors_by_class: {},
  backpressure_total: 0,
  in_flight_max: 3,
  cpu_pct: null,
  mem_mb: null,
  generator_saturated: false,
  pass: true,
  reasons: [],
  seconds: 1,
  ...over,
});

const report = (steps: SweepStep[], stop: string): SweepReport => ({
  schema: 'capacity-sweep/v1',
  target: 'builtin',
  slo: { p99_ms: 50, max_error_rate: 0.01, min_achieved_ratio: 0.95 },
  max_sustainable_rps: 200,
  at_least: true,
  breaking_point: null,
  stop_reason: stop,
  steps,
  steps_count: steps.length,
  total_seconds: 3,
  model: null,
  env: null,
});

describe('capacity-sweep summary', () => {
  it('says what the generator reported when it ended the sweep, quiet or not', () => {
    const lag = 'send lag p99 31 ms exceeds 10 ms: requests left later than scheduled';
    const sat = step(400, { generator_saturated: true, pass: false, reasons: [lag] });
    const r = report([step(200), sat, sat], 'the load generator saturated at 400 req/s');
    expect(sweepSummary(r)).toContain(`generator: ${lag}`);
    expect(sweepInvalidLine(r)).toBe(
      `not a valid sweep (exit 3): the load generator saturated at 400 req/s (${lag})`,
    );
    // A sweep the target ended has no generator line.
    const done = report([step(200), step(400, { pass: false, reasons: ['latency'] })], 'bracketed');
    expect(sweepSummary(done)).not.toContain('generator:');
  });
});
