import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResult, runCli, tmp, expectCountersAddUp } from '../helpers/cli.js';

describe('faults and recovery', () => {
  it('SIGSTOP of the router for 2 s: recovery time within 0.5 s of the truth, failures counted', async () => {
    const out = join(tmp(), 'f.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--rate',
      '1000',
      '--duration',
      '8s',
      '--warmup',
      '1s',
      '--timeout',
      '1s',
      '--out',
      out,
      '--quiet',
      '--fault-at',
      '3s',
      '--fault-cmd',
      'kill -STOP {pid}',
      '--recover-at',
      '5s',
      '--recover-cmd',
      'kill -CONT {pid}',
    ]);
    expect(r.code).toBe(0);
    const res = readResult(out);
    expectCountersAddUp(res);
    const f = res.fault!;
    expect(f.commands.map((c) => c.exit_code)).toEqual([0, 0]);
    // The router answers again as soon as it is continued; the truth is ~0 s plus its backlog.
    expect(f.recovered_at_s).not.toBeNull();
    expect(f.recovery_time_s!).toBeLessThanOrEqual(0.5);
    // Only the requests on the wire when it stopped waited on the target for the timeout:
    // one per connection. Every later one waited for a connection (backpressure) and was
    // answered after the continue, its whole wait in its latency.
    expect(res.counters.timeouts).toBeGreaterThanOrEqual(20);
    expect(res.counters.timeouts).toBeLessThanOrEqual(40);
    expect(res.backpressure_by_kind.connections_busy).toBeGreaterThan(1500);
    expect(res.counters.not_sent).toBe(0);
    // Counted by intended time from the fault on; a request or two sent just before it also waits.
    expect(res.counters.timeouts - f.during.failed).toBeGreaterThanOrEqual(0);
    expect(res.counters.timeouts - f.during.failed).toBeLessThanOrEqual(10);
    expect(f.during.max_latency_ms).toBeGreaterThan(1500);
  }, 60_000);

  it('rejects half-given fault options', async () => {
    const r = await runCli(['--target', 'builtin', '--rate', '10', '--fault-at', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fault-at and --fault-cmd go together/);
  });
});
