import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCountersAddUp, readResult, runCli, tmp, truePercentile } from '../helpers/cli.js';

/** A closed-loop tool measuring from the actual send would report almost none of the stall. */
describe('coordinated omission', () => {
  it('reports p99 and p99.9 within 5% of the true values for a stalling target', async () => {
    const out = join(tmp(), 'run.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--rate',
      '1000',
      '--duration',
      '6s',
      '--warmup',
      '1s',
      '--out',
      out,
      '--quiet',
      '--builtin-workers',
      '0',
      '--builtin-service-time',
      '0ms',
      '--builtin-stall-every',
      '2s',
      '--builtin-stall-for',
      '200ms',
    ]);
    expect(r.code).toBe(0);
    const res = readResult(out);
    expectCountersAddUp(res);
    const p99 = truePercentile(0.99, 200, 2000); // 180 ms
    const p999 = truePercentile(0.999, 200, 2000); // 198 ms
    expect(res.metrics.latency_p99_ms).toBeGreaterThan(p99 * 0.95);
    expect(res.metrics.latency_p99_ms).toBeLessThan(p99 * 1.05);
    expect(res.metrics.latency_p999_ms).toBeGreaterThan(p999 * 0.95);
    expect(res.metrics.latency_p999_ms).toBeLessThan(p999 * 1.05);
    // The stall shows in the time series, not only in the percentiles.
    expect(Math.max(...res.intervals.map((i) => i.max_ms))).toBeGreaterThan(180);
    expect(res.metrics.latency_p50_ms).toBeLessThan(10);
  });
});
