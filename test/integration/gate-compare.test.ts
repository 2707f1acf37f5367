import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { startNatsServer } from '../../src/nats-server/server.js';
import { knobsFromFields } from '../../src/targets/builtin-router/knob-args.js';
import { spawnRouter } from '../../src/targets/builtin-router/spawn.js';
import { ROOT, expectOneLineError, runGateCli, tmp } from '../helpers/cli.js';

/**
 * perf-gate compare end to end: real built-in routers and real Node HTTP servers on
 * loopback, short rounds, budgets of seconds. The statistics' error rates are checked on
 * synthetic data (test/unit/sequential.test.ts, compare.test.ts) and counted on real
 * services by `npm run bench:gate`.
 */
const dir = tmp();
const write = (name: string, data: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(data));
  return p;
};
const policy = write('policy.json', {
  version: '2',
  rules: {
    latency_p50_ms: { relative: { max_pct_increase: 25 }, confidence: 0.95 },
    errors_total: { absolute: { equals: 0 } },
  },
});
const routerScenario = write('router.json', {
  target: 'builtin',
  rate: 200,
  duration: '500ms',
  warmup: '100ms',
  builtin: { workers: 16, service_time: '4ms', service_dist: 'fixed' },
});

/** A service that answers after a fixed delay: a slow and a fast version of "the same code". */
function delayed(ms: number): Promise<Server> {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.end('{"ok":true}'), ms));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}
const url = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;

describe('perf-gate compare', () => {
  let fast: Server;
  let slow: Server;
  beforeAll(async () => {
    fast = await delayed(3);
    slow = await delayed(9);
  });
  afterAll(() => {
    fast.close();
    slow.close();
  });

  it('calls a slower built-in router a regression, with rounds and intervals in every report', async () => {
    const out = (f: string): string => join(dir, f);
    const r = await runGateCli([
      'compare',
      '--policy',
      policy,
      '--scenario',
      routerScenario,
      '--baseline-target',
      'builtin',
      '--candidate-target',
      'builtin',
      '--candidate-builtin-service-time',
      '12ms',
      '--budget',
      '40s',
      '--json',
      out('c.json'),
      '--markdown',
      out('c.md'),
      '--html',
      out('c.html'),
      '--junit',
      out('c.xml'),
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('perf-gate: REGRESSION (exit 1)');
    expect(r.stdout).toMatch(/compare: \d+ pairs of 0.5s rounds .* stopped: decided/);
    expect(r.stderr).toMatch(/pair 1 \((baseline|candidate) first\)/);
    const v = JSON.parse(readFileSync(out('c.json'), 'utf8'));
    expect(v.verdict).toBe('regression');
    const p50 = v.rules.find((x: { metric: string }) => x.metric === 'latency_p50_ms');
    expect(p50.interval.method).toBe('sequential-paired');
    expect(p50.interval.lowPct).toBeGreaterThan(25);
    expect(v.compare.stop_reason).toBe('decided');
    // A pair set aside (a round whose generator was saturated on a busy machine) is listed
    // with why, but not judged.
    const judged = v.compare.pairs.length - (v.compare.discarded?.length ?? 0);
    expect(judged).toBe(p50.interval.n[0]);
    expect(v.compare.pairs[0].baseline.metrics.latency_p50_ms).toBeGreaterThan(3);
    expect(v.compare.targets.candidate).toContain('service_time=12ms');
    expect(
      v.compare.steps.filter((s: { rule: string }) => s.rule.startsWith('latency_p50_ms')).length,
    ).toBe(judged);
    expect(readFileSync(out('c.md'), 'utf8')).toMatch(/\| pair \| first \| latency_p50_ms/);
    const html = readFileSync(out('c.html'), 'utf8');
    expect(html).toContain('narrowing-0');
    expect(html).toContain('perf-gate compare');
    expect(readFileSync(out('c.xml'), 'utf8')).toContain('type="regression"');
  }, 90_000);

  it('passes two identical services (A/A) and a faster candidate', async () => {
    const scenario = write('http.json', {
      target: 'http://127.0.0.1:1/',
      rate: 200,
      duration: '500ms',
      warmup: '100ms',
    });
    const run = (candidate: string) =>
      runGateCli([
        'compare',
        '--policy',
        policy,
        '--scenario',
        scenario,
        '--baseline-target',
        url(slow),
        '--candidate-target',
        candidate,
        '--budget',
        '40s',
        '--quiet',
      ]);
    expect((await run(url(slow))).code).toBe(0);
    expect((await run(url(fast))).code).toBe(0);
  }, 120_000);

  it('ends inconclusive (exit 3) when the budget runs out first', async () => {
    const r = await runGateCli([
      'compare',
      '--policy',
      policy,
      '--scenario',
      routerScenario,
      '--baseline-target',
      'builtin',
      '--candidate-target',
      'builtin',
      '--budget',
      '3s',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/budget spent after [1-3] of [1-3] pairs used: not decided/);
  });

  it("the merge-request job's script compares two builds' routers (here the same build: A/A)", async () => {
    const scenario = write('builds.json', {
      target: 'builtin',
      rate: 200,
      duration: '500ms',
      warmup: '100ms',
      body_file: join(ROOT, 'perf/decide-request.tmpl'),
    });
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(
        join(ROOT, 'scripts/compare-builds.sh'),
        [
          ROOT,
          ROOT,
          '--policy',
          policy,
          '--scenario',
          scenario,
          '--budget',
          '20s',
          '--json',
          join(dir, 'b.json'),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const kill = setTimeout(() => c.kill('SIGKILL'), 80_000);
      c.on('close', (code) => {
        clearTimeout(kill);
        resolve({ code, out });
      });
    });
    // A verdict either way (pass, or inconclusive on a loaded machine): the mechanics are the point.
    expect([0, 3], r.out).toContain(r.code);
    const v = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(v.compare.targets.baseline).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/routes\/decide$/,
    );
    expect(v.compare.targets.candidate).not.toBe(v.compare.targets.baseline);
    expect(v.compare.pairs[0].baseline.metrics.errors_total).toBe(0);
  }, 100_000);

  it('calibrate --interleaved measures A/A noise and the MDE a budget allows', async () => {
    const out = join(dir, 'cal.json');
    const r = await runGateCli([
      'calibrate',
      '--interleaved',
      '--scenario',
      routerScenario,
      '--pairs',
      '6',
      '--budget',
      '2m',
      '--policy',
      policy,
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^latency_p50_ms relative.max_pct_increase\s+\d+\s+/m);
    const cal = JSON.parse(readFileSync(out, 'utf8'));
    expect(cal.metrics).toHaveLength(1);
    const row = cal.metrics[0];
    // Six pairs ran; one with a saturated round (a busy test machine) would be set aside.
    expect(row.pairs + cal.discarded.length).toBe(6);
    expect(row.budget_pairs).toBeGreaterThan(50); // 2 minutes of ~1.3 s pairs
    expect(row.mde_pct).toBeGreaterThan(0);
    expect(row.mde_pct).toBeLessThan(25);
    expect(row.tolerance_pct).toBe(25);
  });

  it('compares two NATS services (two servers, each with a built-in router answering on NATS)', async () => {
    const servers = [await startNatsServer(), await startNatsServer()];
    const routers = [
      await spawnRouter(knobsFromFields({ service_time: '4ms', service_dist: 'fixed' }), {
        url: servers[0]!.url,
      }),
      await spawnRouter(knobsFromFields({ service_time: '12ms', service_dist: 'fixed' }), {
        url: servers[1]!.url,
      }),
    ];
    try {
      const scenario = write('nats.json', {
        target: servers[0]!.url,
        rate: 200,
        duration: '500ms',
        warmup: '100ms',
      });
      const out = join(dir, 'nats-compare.json');
      const r = await runGateCli([
        'compare',
        '--policy',
        policy,
        '--scenario',
        scenario,
        '--baseline-target',
        servers[0]!.url,
        '--candidate-target',
        servers[1]!.url,
        '--budget',
        '40s',
        '--json',
        out,
      ]);
      expect(r.code, r.stderr).toBe(1);
      const v = JSON.parse(readFileSync(out, 'utf8'));
      expect(v.compare.pairs[0].candidate.metrics.latency_p50_ms).toBeGreaterThan(11);
      expect(v.compare.pairs[0].baseline.metrics.latency_p50_ms).toBeLessThan(11);
    } finally {
      await Promise.all(routers.map((x) => x.stop()));
      await Promise.all(servers.map((x) => x.stop()));
    }
  }, 90_000);

  it('bad input: one line, exit 2', async () => {
    expectOneLineError(
      await runGateCli([
        'compare',
        '--policy',
        policy,
        '--scenario',
        routerScenario,
        '--baseline-target',
        'builtin',
      ]),
      'perf-gate',
      /candidate-target/,
    );
    expectOneLineError(
      await runGateCli([
        'compare',
        '--policy',
        policy,
        '--scenario',
        routerScenario,
        '--baseline-target',
        url(fast),
        '--candidate-target',
        url(fast),
        '--baseline-builtin-service-time',
        '2ms',
      ]),
      'perf-gate',
      /--baseline-builtin-\* options need --baseline-target builtin/,
    );
    expectOneLineError(
      await runGateCli([
        'compare',
        '--policy',
        join(dir, 'nope.json'),
        '--scenario',
        routerScenario,
        '--baseline-target',
        'builtin',
        '--candidate-target',
        'builtin',
      ]),
      'perf-gate',
      /policy .*nope\.json/,
    );
  });
});
