import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, summarize } from '../../src/record/histogram.js';
import {
  GATE,
  ROOT,
  expectOneLineError,
  readResult,
  runCli,
  runGateCli,
  tmp,
} from '../helpers/cli.js';

/** Outputs for CI systems: k6's summary-export (GitLab Load Performance), GitHub job summaries. */
describe('CI outputs', () => {
  const dir = tmp();
  const summary = join(dir, 'step-summary.md');
  const env = { ...process.env, GITHUB_STEP_SUMMARY: summary };
  const out = join(dir, 'run.json');
  const k6 = join(dir, 'k6.json');

  it('bench-router --load-performance agrees with the run, and the job summary gets the run', async () => {
    const r = await runCli(
      [
        '--target',
        'builtin',
        '--builtin-error-rate',
        '0.05',
        '--rate',
        '300',
        '--duration',
        '2s',
        '--warmup',
        '200ms',
        '--out',
        out,
        '--load-performance',
        k6,
        '--quiet',
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const result = readResult(out);
    const doc = JSON.parse(readFileSync(k6, 'utf8'));
    const m = doc.metrics;
    expect(Math.abs(m.http_reqs.rate - result.metrics.rps) / result.metrics.rps).toBeLessThan(0.01);
    const p95 = summarize(decode(result.histograms.latency)).p95_ms;
    expect(Math.abs(m.http_req_waiting['p(95)'] - p95) / p95).toBeLessThan(0.05);
    expect(m.http_req_waiting['p(90)']).toBeCloseTo(result.metrics.latency_p90_ms, 3);
    expect(m.checks.passes).toBe(result.counters.ok);
    expect(m.checks.fails).toBe(result.counters.errors + result.counters.timeouts);
    expect(m.checks.fails).toBeGreaterThan(0); // the injected 5% errors are failed checks
    expect(m.http_reqs.count).toBe(m.checks.passes + m.checks.fails);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('## bench-router: builtin-router-http');
    expect(md).toMatch(/\| 300 \| [\d.]+ \| [\d.]+ \|/);
  });

  it('perf-gate --load-performance writes the candidate run; the job summary gets the verdict', async () => {
    const k6Gate = join(dir, 'k6-gate.json');
    const policy = join(ROOT, 'examples/cp1/policy_cp1.json');
    const args = ['--baseline', out, '--policy', policy, '--candidate', out];
    const r = await runCli([...args, '--load-performance', k6Gate], { bin: GATE, env });
    // The CP1 policy judges the injected 5% errors: pass or regression, a verdict either way.
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(readFileSync(k6Gate, 'utf8'))).toEqual(JSON.parse(readFileSync(k6, 'utf8')));
    expect(readFileSync(summary, 'utf8')).toContain('## Performance gate:');
  });

  it('perf-gate --load-performance with a candidate that is not a bench-router result: exit 2', async () => {
    const k6Bad = join(dir, 'k6-bad.json');
    expectOneLineError(
      await runGateCli([
        '--baseline',
        join(ROOT, 'examples/cp1/baseline_cp1.json'),
        '--policy',
        join(ROOT, 'examples/cp1/policy_cp1.json'),
        '--candidate',
        join(ROOT, 'examples/cp1/baseline_cp1.json'),
        '--load-performance',
        k6Bad,
      ]),
      'perf-gate',
      /--load-performance needs a bench-router result/,
    );
    expect(existsSync(k6Bad)).toBe(false);
  });
});
