import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectCountersAddUp,
  expectOneLineError,
  readResult,
  runCli,
  schemaErrors,
  tmp,
} from '../helpers/cli.js';

/** Rate stages (k6 ramping-arrival-rate) end to end against the built-in router. */
describe('bench-router --stages', () => {
  it('offers the ramps and holds, second by second, and records them', async () => {
    const dir = tmp();
    const out = join(dir, 'run.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--start-rate',
      '50',
      '--stages',
      '1s:100,1s:300,1s:300,1s:0',
      '--warmup',
      '1s',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expect(schemaErrors(res)).toBe('');
    expectCountersAddUp(res);
    // 50 -> 100 (75), 100 -> 300 (200), hold 300, 300 -> 0 (150): by intended send time.
    expect(res.intervals.slice(0, 4).map((i) => i.offered)).toEqual([75, 200, 300, 150]);
    expect(res.counters.scheduled).toBe(725);
    expect(res.warmup.scheduled).toBe(50); // the warm-up runs at the start rate
    expect(res.run.duration_s).toBe(4);
    expect(res.metrics.target_rps).toBe(181.25); // 725 over 4 s
    expect(res.scenario.stages).toEqual([
      { duration_ms: 1000, target: 100 },
      { duration_ms: 1000, target: 300 },
      { duration_ms: 1000, target: 300 },
      { duration_ms: 1000, target: 0 },
    ]);
    expect(res.scenario.start_rate).toBe(50);
    expect(res.generator.saturated).toBe(false);
    expect(res.counters.ok).toBe(725);
  });

  it('a ramp 0 -> 2,000 req/s over 10 s, then 10 s at 2,000: offered, achieved and total as the profile says', async () => {
    const out = join(tmp(), 'run.json');
    const r = await runCli(
      [
        '--target',
        'builtin',
        '--stages',
        '10s:2000,10s:2000',
        '--warmup',
        '0s',
        '--out',
        out,
        '--quiet',
      ],
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expectCountersAddUp(res);
    // Second t of the ramp offers the mean of 200 t and 200 (t + 1): 100, 300, ..., 1900.
    const profile = (t: number): number => (t < 10 ? 200 * t + 100 : 2000);
    const iv = res.intervals.slice(0, 20);
    for (const [t, row] of iv.entries())
      expect(Math.abs(row.offered! / profile(t) - 1), `second ${t}`).toBeLessThanOrEqual(0.03);
    // Achieved by completion second in the hold, the seconds at its edges left out.
    for (const row of iv.slice(11, 19))
      expect(Math.abs(row.rps / 2000 - 1), `second ${row.t}`).toBeLessThanOrEqual(0.02);
    expect(Math.abs(res.counters.sent / 30_000 - 1)).toBeLessThanOrEqual(0.01);
  }, 100_000);

  it('coordinated omission under a profile: a stall in the hold gives p99 and p99.9 within 5% of the truth', async () => {
    const out = join(tmp(), 'run.json');
    // Ramp 0 -> 1,000 over 2 s (1,000 requests), hold 6 s (6,000): the router is stopped
    // for ~400 ms in the hold. Requests due during the stall wait until it ends: latencies
    // S, S - 1, ... 1 ms at one request per ms, S the stall as it really was (the two kill
    // commands start a few ms apart from their nominal times; the first request of the
    // stall waited all of it, so S is the run's max). Of 7,000 requests, p99 is the 70th
    // slowest (S - 70 ms), p99.9 the 7th (S - 7 ms); a tool that timed from the actual
    // send would see ~32 slow requests (one per connection) and a p99 of a few ms.
    const r = await runCli(
      [
        '--target',
        'builtin',
        '--stages',
        '2s:1000,6s:1000',
        '--warmup',
        '0s',
        '--builtin-workers',
        '0',
        '--builtin-service-time',
        '0ms',
        '--fault-at',
        '4s',
        '--fault-cmd',
        'kill -STOP {pid}',
        '--recover-at',
        '4.4s',
        '--recover-cmd',
        'kill -CONT {pid}',
        '--out',
        out,
        '--quiet',
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expectCountersAddUp(res);
    expect(res.counters.sent).toBe(7000);
    const n = res.counters.sent;
    const stall = res.metrics.latency_max_ms;
    expect(stall).toBeGreaterThan(390);
    const truth = (q: number): number => stall - (1 - q) * n; // 1 request per ms in the hold
    expect(res.metrics.latency_p99_ms / truth(0.99)).toBeGreaterThan(0.95);
    expect(res.metrics.latency_p99_ms / truth(0.99)).toBeLessThan(1.05);
    expect(res.metrics.latency_p999_ms / truth(0.999)).toBeGreaterThan(0.95);
    expect(res.metrics.latency_p999_ms / truth(0.999)).toBeLessThan(1.05);
    expect(res.metrics.latency_p50_ms).toBeLessThan(10);
  });

  it('bad stages: one line, exit 2', async () => {
    const bad = async (args: string[], pattern: RegExp) =>
      expectOneLineError(await runCli(['--target', 'builtin', ...args]), 'bench-router', pattern);
    await bad(['--stages', '1s:10', '--rate', '5'], /exclude each other/);
    await bad(['--stages', '1s'], /--stages "1s": expected DURATION:TARGET/);
    await bad(['--stages', '1s:10', '--duration', '5s'], /duration does not go with stages/);
    await bad(['--stages', '1s:0,1s:0'], /at least one target must be above 0/);
    await bad(['--rate', '5', '--start-rate', '3'], /--start-rate goes with --stages/);
  });
});
