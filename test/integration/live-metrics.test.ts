import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/util/free-port.js';
import { exposition } from '../../src/report/live-metrics.js';
import {
  ROOT,
  hostStall,
  promtoolCheck,
  readResult,
  runCli,
  tmp,
  type CliRun,
} from '../helpers/cli.js';

/**
 * Live metrics against a real Prometheus (Debian's `prometheus`, which .ci/run installs),
 * started on loopback, scraping every second: what it stored equals what the result says.
 */
describe('bench-router --metrics-listen', () => {
  const dir = tmp();
  let prom: ChildProcess | undefined;
  afterAll(() => prom?.kill('SIGKILL'));

  async function startPrometheus(target: number): Promise<string> {
    const port = await freePort();
    const cfg = join(dir, 'prometheus.yml');
    writeFileSync(
      cfg,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: bench\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['127.0.0.1:${target}']\n`,
    );
    prom = spawn(
      'prometheus',
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return url;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('prometheus did not become ready');
  }

  it('serves lint-clean metrics during the run, and Prometheus ends with the result counts', async () => {
    const port = await freePort();
    const promUrl = await startPrometheus(port);
    const out = join(dir, 'run.json');
    // A run judged not valid for a host stall is run again (see hostStall), here by hand:
    // Prometheus keeps every attempt's series, told apart by the run label.
    let r: CliRun | undefined;
    let label = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      const run = runCli(
        [
          '--target',
          'builtin',
          '--rate',
          '300',
          '--duration',
          '4s',
          '--warmup',
          '1s',
          '--builtin-error-rate',
          '0.02',
          '--metrics-listen',
          `127.0.0.1:${port}`,
          '--metrics-linger',
          '3s',
          '--out',
          out,
          '--quiet',
        ],
        { stallRetries: 0 },
      );
      // Mid-run: the endpoint answers and promtool finds nothing to complain about.
      await new Promise((r) => setTimeout(r, 2500));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(
        /^bench_requests_total\{run="[0-9a-f]{8}",scenario="builtin-router-http",outcome="ok"\} \d+$/m,
      );
      expect(text).toMatch(/^bench_request_duration_seconds_bucket\{.*le="\+Inf"\} \d+$/m);
      expect(text).toMatch(/^bench_target_rate_requests_per_second\{.*\} 300$/m);
      expect(await promtoolCheck(text)).toBe('');
      label = /run="([0-9a-f]{8})"/.exec(text)![1]!;
      r = await run;
      if (!hostStall(r)) break;
    }
    expect(r!.code, r!.stderr).toBe(0);
    const res = readResult(out);
    const query = async (q: string): Promise<number> => {
      const body = (await (
        await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)
      ).json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? NaN);
    };
    // The endpoint is gone now: read the last values Prometheus stored.
    const sel = `run="${label}"`;
    const total = await query(`sum(max_over_time(bench_requests_total{${sel}}[1m]))`);
    const expected = res.counters.ok + res.counters.errors + res.counters.timeouts;
    expect(Math.abs(total - expected) / expected).toBeLessThan(0.01);
    const errors = await query(
      `sum(max_over_time(bench_requests_total{${sel},outcome="error"}[1m]))`,
    );
    expect(errors).toBe(res.counters.errors);
    const answered = await query(`max_over_time(bench_request_duration_seconds_count{${sel}}[1m])`);
    expect(answered).toBe(res.counters.ok);
  }, 120_000);

  it('capacity-sweep serves one endpoint for all its steps, each step a label', async () => {
    const port = await freePort();
    const out = join(dir, 'cap.json');
    const run = runCli(
      [
        '--target',
        'builtin',
        '--builtin-workers',
        '4',
        '--builtin-service-time',
        '5ms',
        '--slo-p99',
        '50ms',
        '--start',
        '200',
        '--max-steps',
        '3',
        '--step-duration',
        '1s',
        '--step-warmup',
        '200ms',
        '--metrics-listen',
        `127.0.0.1:${port}`,
        '--metrics-linger',
        '1s',
        '--out',
        out,
        '--quiet',
      ],
      { bin: join(ROOT, 'dist/cli/capacity-sweep.js') },
    );
    const seen = new Set<string>();
    let text = '';
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      for (const m of text.matchAll(/step="(\d+)"/g)) seen.add(m[1]!);
    }
    // The run's end first, so that a failure shows what the sweep said (it failed once in
    // CI, seeing no step at all in 10 s, and passed in every rerun).
    const r = await run;
    expect(seen.size, `exit ${r.code}: ${r.stderr}`).toBeGreaterThanOrEqual(2);
    expect(await promtoolCheck(text)).toBe('');
    expect([0, 3], r.stderr).toContain(r.code);
  }, 60_000);

  it('with generator agents, the endpoint adds up the agents and ends at the result', async () => {
    const port = await freePort();
    const out = join(dir, 'agents.json');
    let done = false;
    const run = runCli([
      '--target',
      'builtin',
      '--local-agents',
      '2',
      '--rate',
      '400',
      '--duration',
      '2s',
      '--warmup',
      '500ms',
      '--metrics-listen',
      `127.0.0.1:${port}`,
      '--metrics-linger',
      '3s',
      '--out',
      out,
      '--quiet',
    ]).finally(() => (done = true));
    let last = NaN;
    while (!done) {
      await new Promise((r) => setTimeout(r, 250));
      const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      const m = /^bench_requests_total\{[^}]*outcome="ok"\} (\d+)$/m.exec(text);
      if (m) last = Number(m[1]);
    }
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(last).toBe(readResult(out).counters.ok);
  }, 60_000);

  it('the shipped Grafana dashboard queries only series the endpoint serves', () => {
    const text = exposition(
      { labels: { step: '1' }, stats: () => undefined, targetRate: () => 100 },
      'r1',
      's1',
    );
    const served = new Set(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap((m) =>
        m[2] === 'histogram' ? [`${m[1]}_bucket`, `${m[1]}_sum`, `${m[1]}_count`] : [m[1]!],
      ),
    );
    const dash = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/bench-router.json'), 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: { targets: { expr: string }[] }) =>
      p.targets.map((t) => t.expr),
    );
    expect(exprs.length).toBeGreaterThan(5);
    for (const e of exprs)
      for (const name of e.match(/bench_[a-z_]+/g) ?? [])
        expect(served, `${name} in ${e}`).toContain(name);
  });
});
