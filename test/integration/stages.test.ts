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
