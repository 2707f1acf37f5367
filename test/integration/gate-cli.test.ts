import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  ROOT,
  expectOneLineError,
  promtoolCheck,
  runGateCli,
  tmp,
  type CliRun,
} from '../helpers/cli.js';

// The CP1 example files the project ships (byte-identical to the seed format's own copies,
// checked in test/unit/gate-evaluate.test.ts when those are beside the checkout).
const SEED = join(ROOT, 'examples/cp1');
const seedBase = join(SEED, 'baseline_cp1.json');
const seedPolicy = join(SEED, 'policy_cp1.json');

const oneLineExit2 = (r: CliRun, pattern: RegExp): void =>
  expectOneLineError(r, 'perf-gate', pattern);

function write(dir: string, name: string, data: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof data === 'string' ? data : JSON.stringify(data));
  return p;
}

describe('perf-gate CLI', () => {
  it('passes the seed baseline against itself and writes every report', async () => {
    const dir = tmp();
    const out = (f: string) => join(dir, f);
    const r = await runGateCli([
      '--baseline',
      seedBase,
      '--policy',
      seedPolicy,
      '--candidate',
      seedBase,
      '--junit',
      out('junit.xml'),
      '--markdown',
      out('summary.md'),
      '--metrics',
      out('metrics.txt'),
      '--json',
      out('verdict.json'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('perf-gate: PASS');
    const junit = readFileSync(out('junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(6);
    expect(readFileSync(out('summary.md'), 'utf8')).toContain('## Performance gate: PASS');
    const metrics = readFileSync(out('metrics.txt'), 'utf8');
    // Base units: the 200 ms p99 is 0.2 s; the run's error count is a gauge without _total.
    expect(metrics).toMatch(/^perf_latency_p99_seconds\{side="candidate"\} 0\.2$/m);
    expect(metrics).toMatch(/^# TYPE perf_errors gauge$/m);
    expect(await promtoolCheck(metrics)).toBe('');
    expect(JSON.parse(readFileSync(out('verdict.json'), 'utf8'))).toMatchObject({
      verdict: 'pass',
      exit_code: 0,
    });
  });

  it('exits 1 on a regression, naming the rule in the JUnit failure', async () => {
    const dir = tmp();
    const seed = JSON.parse(readFileSync(seedBase, 'utf8'));
    const cand = write(dir, 'cand.json', {
      ...seed,
      metrics: { ...seed.metrics, latency_p99_ms: 300 },
    });
    const r = await runGateCli([
      '--baseline',
      seedBase,
      '--policy',
      seedPolicy,
      '--candidate',
      cand,
      '--junit',
      join(dir, 'j.xml'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/latency_p99_ms relative.max_pct_increase: 200 -> 300: \+50% > \+20%/);
    expect(readFileSync(join(dir, 'j.xml'), 'utf8')).toMatch(/<failure message="200 -&gt; 300/);
  });

  it("exits 1 when a CP1 policy's required metric is missing from the candidate", async () => {
    const dir = tmp();
    const cand = write(dir, 'cand.json', { metrics: { rps: 62 } });
    const r = await runGateCli([
      '--baseline',
      seedBase,
      '--policy',
      seedPolicy,
      '--candidate',
      cand,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('REGRESSION');
    expect(r.stdout).toContain('missing from the candidate');
  });

  describe('bad input: one line, exit 2', () => {
    it('missing file', async () => {
      oneLineExit2(
        await runGateCli([
          '--baseline',
          '/nope.json',
          '--policy',
          seedPolicy,
          '--candidate',
          seedBase,
        ]),
        /baseline \/nope.json: file not found/,
      );
    });
    it('malformed JSON', async () => {
      const f = write(tmp(), 'p.json', '{"rules": {');
      oneLineExit2(
        await runGateCli(['--baseline', seedBase, '--policy', f, '--candidate', seedBase]),
        /policy .*malformed JSON/,
      );
    });
    it('schema violation, naming the JSON path', async () => {
      const f = write(tmp(), 'p.json', {
        rules: { rps: { relative: { max_pct_decrease: 'ten' } } },
      });
      oneLineExit2(
        await runGateCli(['--baseline', seedBase, '--policy', f, '--candidate', seedBase]),
        /rules\.rps\.relative\.max_pct_decrease must be number/,
      );
      const g = write(tmp(), 'p.json', { rules: { rps: { relativ: {} } } });
      oneLineExit2(
        await runGateCli(['--baseline', seedBase, '--policy', g, '--candidate', seedBase]),
        /rules\.rps: unknown field "relativ"/,
      );
    });
    it('a policy naming a metric no side has', async () => {
      const f = write(tmp(), 'p.json', { rules: { latency_p42_ms: { absolute: { max: 1 } } } });
      oneLineExit2(
        await runGateCli(['--baseline', seedBase, '--policy', f, '--candidate', seedBase]),
        /"latency_p42_ms" is in neither/,
      );
    });
    it('a non-numeric metric', async () => {
      const f = write(tmp(), 'c.json', {
        metrics: {
          rps: 'fast',
          latency_p95_ms: 1,
          latency_p99_ms: 1,
          mem_mb: 1,
          errors_total: 0,
          backpressure_total: 0,
        },
      });
      oneLineExit2(
        await runGateCli(['--baseline', seedBase, '--policy', seedPolicy, '--candidate', f]),
        /metrics\.rps is not a number/,
      );
    });
    it('neither --candidate nor --scenario', async () => {
      oneLineExit2(
        await runGateCli(['--baseline', seedBase, '--policy', seedPolicy]),
        /exactly one of --candidate/,
      );
    });
  });

  it('baseline update writes provenance atomically and refuses an interrupted run', async () => {
    const dir = tmp();
    const seed = JSON.parse(readFileSync(seedBase, 'utf8'));
    const run = write(dir, 'run.json', { ...seed, git: { commit: 'abc123' } });
    const target = join(dir, 'baselines/b.json');
    const r = await runGateCli([
      'baseline',
      'update',
      '--from',
      run,
      '--baseline',
      target,
      '--reason',
      'faster router',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/latency_p99_ms\s+-\s+200/);
    const b = JSON.parse(readFileSync(target, 'utf8'));
    expect(b.provenance).toMatchObject({
      reason: 'faster router',
      commit: 'abc123',
      runs: 1,
      from: run,
    });
    const bad = write(dir, 'bad.json', { ...seed, run: { interrupted: true } });
    const refused = await runGateCli([
      'baseline',
      'update',
      '--from',
      bad,
      '--baseline',
      target,
      '--reason',
      'x',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refusing .*interrupted/);
    expect(JSON.parse(readFileSync(target, 'utf8')).provenance.reason).toBe('faster router');
  });

  it('slo derive writes a policy that the gate then uses', async () => {
    const dir = tmp();
    const policy = join(dir, 'slo.json');
    const doc = join(dir, 'SLO.md');
    const r = await runGateCli([
      'slo',
      'derive',
      '--baseline',
      seedBase,
      '--factor',
      '1.5',
      '--out',
      policy,
      '--doc',
      doc,
    ]);
    expect(r.code).toBe(0);
    const p = JSON.parse(readFileSync(policy, 'utf8'));
    expect(p.slo[0].expr).toBe('latency_p99_ms <= 300');
    expect(readFileSync(doc, 'utf8')).toContain('baseline p99 200 ms x 1.5');
    const judged = await runGateCli([
      '--baseline',
      seedBase,
      '--policy',
      policy,
      '--candidate',
      seedBase,
    ]);
    expect(judged.code).toBe(0);
  });

  it('calibrate reports run-to-run noise and warns where a tolerance is tighter', async () => {
    const dir = tmp();
    // Warm enough that a run's first sends (p99 of 200 is its 2nd slowest) are not start-up.
    const scen = write(dir, 's.json', {
      target: 'builtin',
      rate: 200,
      duration: '1s',
      warmup: '500ms',
      name: 'cal',
    });
    const policy = write(dir, 'p.json', {
      version: '2',
      rules: { latency_p99_ms: { relative: { max_pct_increase: 0.01 } } },
    });
    const out = join(dir, 'cal.json');
    const r = await runGateCli([
      'calibrate',
      '--scenario',
      scen,
      '--runs',
      '3',
      '--policy',
      policy,
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/latency_p99_ms\s+[\d.]+\s+[\d.]+/);
    expect(r.stdout).toMatch(
      /warning: latency_p99_ms relative.max_pct_increase: tolerance 0.01% is tighter than the noise/,
    );
    const cal = JSON.parse(readFileSync(out, 'utf8'));
    expect(cal.runs).toBe(3);
    expect(cal.metrics.find((m: { metric: string }) => m.metric === 'rps').cv_pct).toBeLessThan(5);
  });

  it('--scenario runs the bench and judges it', async () => {
    const dir = tmp();
    const scen = write(dir, 's.json', {
      target: 'builtin',
      rate: 200,
      duration: '1s',
      warmup: '500ms',
      repeat: 2,
      name: 'tiny',
    });
    const policy = write(dir, 'p.json', {
      version: '2',
      rules: { latency_p99_ms: { absolute: { max: 1000 } } },
      slo: ['error_rate <= 0.01'],
    });
    const cand = join(dir, 'cand.json');
    const r = await runGateCli([
      '--baseline',
      seedBase,
      '--policy',
      policy,
      '--scenario',
      scen,
      '--candidate-out',
      cand,
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(cand, 'utf8'));
    expect(res.samples.rps).toHaveLength(2);
  });
});

describe('.gitlab-ci.perf.yml', () => {
  const ci = parseYaml(readFileSync(join(ROOT, '.gitlab-ci.perf.yml'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };

  it('parses, and every command it runs exists with the flags it uses', async () => {
    const scripts = Object.values(ci).flatMap((job) =>
      Array.isArray(job?.script) ? (job.script as string[]) : [],
    );
    expect(scripts.length).toBeGreaterThan(0);
    const help =
      (await runGateCli(['--help'])).stdout +
      (await runGateCli(['baseline', 'update', '--help'])).stdout +
      (await runGateCli(['compare', '--help'])).stdout;
    for (const line of scripts) {
      // The A/B job runs perf-gate compare through scripts/compare-builds.sh.
      if (line.startsWith('scripts/compare-builds.sh')) {
        expect(existsSync(join(ROOT, 'scripts/compare-builds.sh'))).toBe(true);
        for (const flag of line.match(/--[a-z-]+/g) ?? []) expect(help, flag).toContain(flag);
        continue;
      }
      const m = /npx (\S+)/.exec(line);
      if (!m) continue;
      expect(Object.keys(pkg.bin)).toContain(m[1]);
      if (m[1] === 'perf-gate')
        for (const flag of line.match(/--[a-z-]+/g) ?? []) expect(help, flag).toContain(flag);
    }
    const vars = ci.variables as Record<string, string>;
    for (const f of ['PERF_SCENARIO', 'PERF_BASELINE', 'PERF_POLICY'])
      expect(existsSync(join(ROOT, vars[f]!)), vars[f]).toBe(true);
    const ab = ci['perf-gate:compare']!.variables as Record<string, string>;
    for (const f of ['PERF_COMPARE_SCENARIO', 'PERF_COMPARE_POLICY'])
      expect(existsSync(join(ROOT, ab[f]!)), ab[f]).toBe(true);
  });

  it('keeps reports always, retries only runner failures, blocks only on the default branch', () => {
    const base = ci['.perf-gate']!;
    const artifacts = base.artifacts as { when: string; reports: Record<string, string> };
    expect(artifacts.when).toBe('always');
    expect(artifacts.reports).toMatchObject({
      junit: expect.any(String),
      metrics: expect.any(String),
    });
    const retry = base.retry as { when: string[] };
    expect(retry.when.every((w) => /failure/.test(w))).toBe(true);
    expect(retry.when).not.toContain('script_failure');
    expect(ci['perf-gate:merge-request']!.allow_failure).toBe(true);
    expect(ci['perf-gate']!.allow_failure).toEqual({ exit_codes: [3] });
  });
});
