import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/record/histogram.js';
import { expectCountersAddUp, readResult, runCli, schemaErrors, tmp } from '../helpers/cli.js';

describe('bench-router --target builtin (the demo path)', () => {
  it('runs, shows progress and a summary, and writes a schema-valid result', async () => {
    const dir = tmp();
    const out = join(dir, 'run.json');
    const hgrm = join(dir, 'run.hgrm');
    const base = join(dir, 'baseline.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--rate',
      '300',
      '--duration',
      '3s',
      '--warmup',
      '1s',
      '--out',
      out,
      '--hgrm',
      hgrm,
      '--save-baseline',
      base,
    ]);
    expect(r.stderr).toMatch(/\[(warm-up|measure)\] \d+s elapsed/); // periodic line when not a TTY
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('latency (ms)');
    const res = readResult(out);
    expect(schemaErrors(res)).toBe('');
    expectCountersAddUp(res);
    expect(res.metrics.target_rps).toBe(300);
    expect(res.metrics.requests_total).toBe(900);
    expect(res.metrics.rps).toBeGreaterThan(290);
    expect(res.metrics.errors_total).toBe(0);
    expect(res.warmup.sent).toBe(300);
    expect(res.metrics.mem_mb).toBeGreaterThan(10);
    expect(res.metrics.cpu_pct).toBeGreaterThan(0);
    expect(res.intervals.length).toBeGreaterThanOrEqual(3);
    expect(decode(res.histograms.latency).totalCount).toBe(res.counters.ok);
    expect(res.env.cpu_cores).toBeGreaterThan(0);
    expect(res.generator.saturated).toBe(false);
    expect(existsSync(hgrm)).toBe(true);
    expect(readResult(base).metrics.requests_total).toBe(900);
  });

  it('classifies injected router errors and overload', async () => {
    const out = join(tmp(), 'run.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--rate',
      '400',
      '--duration',
      '2s',
      '--warmup',
      '500ms',
      '--out',
      out,
      '--quiet',
      '--builtin-workers',
      '2',
      '--builtin-service-time',
      '10ms',
      '--builtin-service-dist',
      'fixed',
      '--builtin-queue-limit',
      '5',
      '--builtin-error-rate',
      '0.2',
    ]);
    expect(r.code).toBe(0);
    const res = readResult(out);
    expectCountersAddUp(res);
    // Capacity is 2 / 10 ms = 200 req/s at 400 offered: about half is refused as overloaded.
    expect(res.errors_by_class.http_503).toBeGreaterThan(200);
    expect(res.backpressure_by_kind.http_503).toBe(res.errors_by_class.http_503);
    expect(res.errors_by_class.http_5xx).toBeGreaterThan(20); // injected internal errors
    expect(res.metrics.backpressure_total).toBeGreaterThanOrEqual(res.errors_by_class.http_503!);
  });

  it('splits the load over worker threads and merges exactly', async () => {
    const out = join(tmp(), 'run.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--rate',
      '1000',
      '--duration',
      '2s',
      '--warmup',
      '500ms',
      '--threads',
      '2',
      '--out',
      out,
      '--quiet',
      '--builtin-workers',
      '0',
      '--builtin-service-time',
      '0ms',
    ]);
    expect(r.code).toBe(0);
    const res = readResult(out);
    expectCountersAddUp(res);
    expect(res.generator.threads).toBe(2);
    expect(res.metrics.requests_total).toBe(2000);
    expect(decode(res.histograms.latency).totalCount).toBe(res.counters.ok);
    expect(res.intervals.reduce((a, i) => a + i.sent, 0)).toBe(2000);
  });

  it('runs closed loop with --concurrency', async () => {
    const out = join(tmp(), 'run.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--concurrency',
      '4',
      '--duration',
      '1s',
      '--warmup',
      '500ms',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const res = readResult(out);
    expect(res.run.mode).toBe('closed');
    expect(res.metrics.target_rps).toBeNull();
    expect(res.metrics.requests_total).toBeGreaterThan(100);
    expectCountersAddUp(res);
  });
});
