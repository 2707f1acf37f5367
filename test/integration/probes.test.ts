import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromText } from '../../src/probes/proc-probe.js';
import { spawnRouter } from '../../src/targets/builtin-router/spawn.js';
import { readResult, runCli, tmp } from '../helpers/cli.js';

describe('target probes', () => {
  it('a leaking router shows its memory growth; a sound one is near zero', async () => {
    const run = async (bytes: number) => {
      const out = join(tmp(), 'r.json');
      const r = await runCli([
        '--target',
        'builtin',
        '--rate',
        '500',
        '--duration',
        '5s',
        // A fresh router's heap still grows for its first ~4 s (V8 sizing its young
        // generation: ~3 MB over 2-3 s, 43-55 MB/min over a window that began at 2 s), which is
        // not a leak; measured after it, a sound router reads -8..+8 MB/min.
        '--warmup',
        '4s',
        '--out',
        out,
        '--quiet',
        '--builtin-mem-growth-bytes',
        String(bytes),
      ]);
      expect(r.code).toBe(0);
      return readResult(out);
    };
    // 20 kB x 500 req/s = 10 MB/s = 600 MB/min of leak.
    const leak = await run(20_000);
    expect(leak.metrics.mem_growth_mb_per_min).toBeGreaterThan(600 * 0.8);
    expect(leak.metrics.mem_growth_mb_per_min).toBeLessThan(600 * 1.2);
    expect(leak.intervals.filter((i) => i.mem_mb !== undefined).length).toBeGreaterThanOrEqual(4);
    const sound = await run(0);
    expect(Math.abs(sound.metrics.mem_growth_mb_per_min!)).toBeLessThan(60);
  });

  it('soak: a leak is flagged, a sound router is not (one heap resize does not count)', async () => {
    const soak = async (bytes: number) => {
      const out = join(tmp(), 'r.json');
      const r = await runCli([
        '--target',
        'builtin',
        '--rate',
        '500',
        '--duration',
        '15s',
        '--warmup',
        '5s',
        '--out',
        out,
        '--quiet',
        '--leak-threshold',
        '20',
        '--builtin-mem-growth-bytes',
        String(bytes),
      ]);
      expect(r.code).toBe(0);
      return readResult(out).memory_trend!;
    };
    const leaking = await soak(20_000);
    expect(leaking.leak_suspected).toBe(true);
    expect(leaking.ci95_mb_per_min[0]).toBeGreaterThan(20);
    const sound = await soak(0);
    expect(sound.leak_suspected).toBe(false);
    expect(sound.samples).toBeGreaterThanOrEqual(10);
  }, 90_000);

  it('reads a Prometheus endpoint and a process by pid', async () => {
    const router = await spawnRouter({});
    try {
      const out = join(tmp(), 'r.json');
      const r = await runCli([
        '--target',
        `${router.httpUrl}/api/v1/routes/decide`,
        '--body',
        '{"version":"1","request_id":"{{request_id}}","tenant_id":"t","task":{"type":"x"}}',
        '--rate',
        '200',
        '--duration',
        '3s',
        '--warmup',
        '500ms',
        '--out',
        out,
        '--quiet',
        '--probe-prom',
        `${router.httpUrl}/metrics`,
        '--probe-pid',
        String(router.pid),
      ]);
      expect(r.code).toBe(0);
      const res = readResult(out);
      expect(res.probes!.map((p) => p.kind)).toEqual(['pid', 'prom']);
      const [pid, prom] = res.probes!;
      expect(pid!.samples).toBeGreaterThanOrEqual(3);
      expect(prom!.mem_mb).toBeGreaterThan(10);
      // Both watch the same process: the same memory within a few MB.
      expect(Math.abs(prom!.mem_mb! - pid!.mem_mb!)).toBeLessThan(8);
      expect(res.metrics.mem_mb).toBe(pid!.mem_mb);
    } finally {
      await router.stop();
    }
  });

  it('parses Prometheus text', () => {
    const text =
      '# HELP x\nprocess_resident_memory_bytes 1048576\nprocess_cpu_seconds_total{a="b"} 2.5\nother 1\n';
    expect(
      parsePromText(text, ['process_resident_memory_bytes', 'process_cpu_seconds_total']),
    ).toEqual({
      process_resident_memory_bytes: 1048576,
      process_cpu_seconds_total: 2.5,
    });
  });
});
