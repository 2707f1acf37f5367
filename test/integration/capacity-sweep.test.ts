import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, expectOneLineError, runCli, tmp } from '../helpers/cli.js';

const SWEEP = join(ROOT, 'dist/cli/capacity-sweep.js');

describe('capacity-sweep against the built-in router', () => {
  it('finds a known capacity (4 workers x 5 ms = 800 req/s) within 10%, and why it broke', async () => {
    const dir = tmp();
    const out = join(dir, 'cap.json');
    const md = join(dir, 'cap.md');
    const html = join(dir, 'cap.html');
    const r = await runCli(
      [
        '--target',
        'builtin',
        '--builtin-workers',
        '4',
        '--builtin-service-time',
        '5ms',
        '--builtin-service-dist',
        'fixed',
        '--builtin-queue-limit',
        '100000',
        '--slo-p99',
        '200ms',
        '--start',
        '200',
        '--step-duration',
        '2s',
        '--step-warmup',
        '500ms',
        '--resolution',
        '5%',
        '--out',
        out,
        '--markdown',
        md,
        '--html',
        html,
      ],
      { bin: SWEEP, timeoutMs: 170_000 },
    );
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(out, 'utf8'));
    expect(rep.max_sustainable_rps).toBeGreaterThan(800 * 0.9);
    expect(rep.max_sustainable_rps).toBeLessThan(800 * 1.1);
    expect(rep.breaking_point.reason).toMatch(/latency|queue growth|throughput/);
    expect(rep.steps_count).toBe(rep.steps.length);
    expect(rep.steps.every((s: { cpu_pct: number | null }) => s.cpu_pct !== null)).toBe(true);
    const text = readFileSync(md, 'utf8');
    expect(text).toContain('**Max rate at SLO:**');
    expect(text).toContain('**Breaking point:**');
    // The sweep's own HTML report, not a step's run report.
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('"id":"capacity-latency"');
    expect(page).not.toContain('"id":"throughput"');
  }, 180_000);
});

describe('capacity-sweep refuses what it would ignore', () => {
  it('each bench-router option a sweep would override or drop: one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--rate', '100'], /--rate does not apply to capacity-sweep: each step sets its own rate/],
      [['--repeat', '3'], /--repeat does not apply/],
      [['--hgrm', 'x.hgrm'], /--hgrm does not apply/],
      [['--save-baseline', 'b.json'], /--save-baseline does not apply/],
      [['--duration', '5s'], /--duration does not apply.*--step-duration/],
      [['--concurrency', '4'], /--concurrency does not apply/],
    ];
    for (const [flags, pattern] of cases)
      expectOneLineError(
        await runCli(['--target', 'builtin', '--slo-p99', '100ms', ...flags], { bin: SWEEP }),
        'capacity-sweep',
        pattern,
      );
    expect((await runCli(['--help'], { bin: SWEEP })).stdout).toContain(
      'default reports/capacity.json',
    );
  });
});
