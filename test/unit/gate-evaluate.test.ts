import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asGateDoc, type GateDoc } from '../../src/gate/document.js';
import { evaluate, relativeChange } from '../../src/gate/evaluate.js';
import { normalizePolicy, parseSlo, type PolicyFile } from '../../src/gate/policy.js';
import { bonferroni, bootstrapChange } from '../../src/gate/stats.js';

const doc = (
  metrics: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  what: GateDoc['what'] = 'candidate',
): GateDoc => asGateDoc({ metrics, ...extra }, `${what}.json`, what);
const judge = (
  policy: PolicyFile,
  base: Record<string, unknown>,
  cand: Record<string, unknown>,
  be = {},
  ce = {},
) => evaluate(normalizePolicy(policy), doc(base, be, 'baseline'), doc(cand, ce));
const status = (o: ReturnType<typeof judge>) => o.rules.map((r) => r.status);

const SHARED = new URL('../../examples/cp1/', import.meta.url);
const UPSTREAM = new URL('../../../shared/examples/', import.meta.url);
const seedPolicy = JSON.parse(
  readFileSync(new URL('policy_cp1.json', SHARED), 'utf8'),
) as PolicyFile;
const seedBaseline = JSON.parse(readFileSync(new URL('baseline_cp1.json', SHARED), 'utf8')) as {
  metrics: Record<string, number>;
};

describe('relative rules (CP1 semantics)', () => {
  const inc = { rules: { m: { relative: { max_pct_increase: 10 } } } };
  const dec = { rules: { m: { relative: { max_pct_decrease: 10 } } } };

  it('max_pct_increase fails only beyond the tolerance', () => {
    expect(judge(inc, { m: 100 }, { m: 110 }).exitCode).toBe(0);
    const o = judge(inc, { m: 100 }, { m: 110.5 });
    expect(o.exitCode).toBe(1);
    expect(o.verdict).toBe('regression');
    expect(o.rules[0]!.change_pct).toBeCloseTo(10.5);
  });

  it('a baseline of 0 with a candidate above 0 is an infinite increase; 0 -> 0 passes', () => {
    const o = judge(inc, { m: 0 }, { m: 0.001 });
    expect(o.exitCode).toBe(1);
    expect(o.rules[0]!.why).toContain('infinite increase');
    expect(judge(inc, { m: 0 }, { m: 0 }).exitCode).toBe(0);
  });

  it('max_pct_decrease fails only beyond the tolerance; a baseline of 0 never fails it', () => {
    expect(judge(dec, { m: 100 }, { m: 90 }).exitCode).toBe(0);
    expect(judge(dec, { m: 100 }, { m: 89 }).exitCode).toBe(1);
    expect(judge(dec, { m: 0 }, { m: -50 }).exitCode).toBe(0);
  });

  it('measures change against the magnitude of a negative baseline', () => {
    expect(relativeChange(-100, -80)).toBeCloseTo(20);
    expect(judge(inc, { m: -100 }, { m: -85 }).exitCode).toBe(1);
    expect(judge(dec, { m: -100 }, { m: -105 }).exitCode).toBe(0);
    expect(judge(dec, { m: -100 }, { m: -115 }).exitCode).toBe(1);
  });
});

describe('absolute and SLO rules', () => {
  it('equals, max and min judge the candidate alone', () => {
    const p = {
      rules: {
        e: { absolute: { equals: 0 } },
        hi: { absolute: { max: 5 } },
        lo: { absolute: { min: 1 } },
      },
    };
    expect(status(judge(p, {}, { e: 0, hi: 5, lo: 1 }))).toEqual(['pass', 'pass', 'pass']);
    expect(status(judge(p, {}, { e: 1, hi: 5.1, lo: 0.9 }))).toEqual(['fail', 'fail', 'fail']);
  });

  it('parses SLO expressions', () => {
    expect(parseSlo('latency_p99_ms <= 200')).toEqual({
      metric: 'latency_p99_ms',
      kind: 'max',
      limit: 200,
    });
    expect(parseSlo(' rps >= 1e3 ')).toEqual({ metric: 'rps', kind: 'min', limit: 1000 });
    expect(parseSlo('errors_total == 0')).toEqual({
      metric: 'errors_total',
      kind: 'equals',
      limit: 0,
    });
    expect(() => parseSlo('p99 is small')).toThrowError(/expected "metric <= number"/);
    const o = judge(
      {
        version: '2',
        slo: ['latency_p99_ms <= 200', { expr: 'error_rate <= 0.001', severity: 'warn' }],
      },
      {},
      { latency_p99_ms: 250, error_rate: 0.01 },
    );
    expect(status(o)).toEqual(['fail', 'warn']);
  });
});

describe('severities, missing metrics, bad values', () => {
  it('a warn rule never fails the gate', () => {
    const o = judge(
      { rules: { m: { relative: { max_pct_increase: 1 }, severity: 'warn' } } },
      { m: 1 },
      { m: 2 },
    );
    expect(o.rules[0]!.status).toBe('warn');
    expect(o.exitCode).toBe(0);
  });

  it('a metric missing from the candidate fails a CP1 gate (exit 1)', () => {
    const p: PolicyFile = {
      rules: { a: { absolute: { max: 1 } }, m: { relative: { max_pct_increase: 5 } } },
    };
    const o = judge(p, { m: 1, a: 0 }, { a: 0 });
    expect(o.rules[1]!.status).toBe('fail');
    expect(o.verdict).toBe('regression');
    expect(o.exitCode).toBe(1);
    expect(o.reasons[0]).toContain('missing from the candidate');
    const lax = judge(
      { ...p, gate: { require_all_metrics_present: false } },
      { m: 1, a: 0 },
      { a: 0 },
    );
    expect(lax.rules[1]!.status).toBe('skipped');
    expect(lax.exitCode).toBe(0);
  });

  it('a metric missing from the candidate makes a version-2 gate not comparable (exit 3), or is skipped when allowed', () => {
    const p: PolicyFile = {
      version: '2',
      rules: { a: { absolute: { max: 1 } }, m: { relative: { max_pct_increase: 5 } } },
    };
    const o = judge(p, { m: 1, a: 0 }, { a: 0 });
    expect(o.rules[1]!.status).toBe('missing');
    expect(o.exitCode).toBe(3);
    const lax = judge(
      { ...p, gate: { require_all_metrics_present: false } },
      { m: 1, a: 0 },
      { a: 0 },
    );
    expect(lax.rules[1]!.status).toBe('skipped');
    expect(lax.exitCode).toBe(0);
    expect(judge(p, { a: 0 }, { a: 0, m: 3 }).rules[1]!.why).toContain('missing from the baseline');
  });

  it('a metric neither side has is bad input', () => {
    expect(() =>
      judge({ rules: { nope: { absolute: { max: 1 } } } }, { m: 1 }, { m: 1 }),
    ).toThrowError(/"nope" is in neither/);
  });

  it.each([
    ['NaN', 'abc'],
    ['string number', '12'],
    ['object', { v: 1 }],
  ])('a non-numeric value (%s) is bad input naming the field', (_, v) => {
    expect(() =>
      judge({ rules: { m: { absolute: { max: 1 } } } }, { m: 1 }, { m: v }),
    ).toThrowError(/candidate candidate\.json: metrics\.m is not a number/);
  });

  it('null counts as missing', () => {
    const o = judge({ rules: { m: { absolute: { max: 1 } } } }, { m: 1 }, { m: null });
    expect(o.rules[0]!.why).toContain('missing from the candidate');
    expect(o.exitCode).toBe(1);
  });

  it('a non-zero candidate ct_exit_code fails the gate unless the policy says otherwise', () => {
    const p: PolicyFile = { rules: { m: { absolute: { max: 1 } } } };
    expect(judge(p, { m: 0 }, { m: 0 }, {}, { run: { ct_exit_code: 2 } }).exitCode).toBe(1);
    expect(judge(p, { m: 0 }, { m: 0 }, {}, { run: { ct_exit_code: 0 } }).exitCode).toBe(0);
    expect(
      judge(
        { ...p, gate: { require_candidate_ct_exit_code_zero: false } },
        { m: 0 },
        { m: 0 },
        {},
        { run: { ct_exit_code: 2 } },
      ).exitCode,
    ).toBe(0);
  });
});

describe('aliases', () => {
  it('reads CP1 names from bench-router metrics and back', () => {
    const p = {
      rules: {
        mem_mb_total_erlang: { relative: { max_pct_increase: 15 } },
        backpressure_active_total: { absolute: { equals: 0 } },
      },
    };
    const o = judge(
      p,
      { mem_mb_total_erlang: 100, backpressure_active_total: 0 },
      { mem_mb: 120, backpressure_total: 0 },
    );
    expect(o.rules.map((r) => [r.status, r.candidate])).toEqual([
      ['fail', 120],
      ['pass', 0],
    ]);
    const custom = judge(
      { rules: { p99: { absolute: { max: 5 } } }, aliases: { p99: 'latency_p99_ms' } },
      {},
      { latency_p99_ms: 4 },
    );
    expect(custom.exitCode).toBe(0);
  });
});

describe('the seed files, unchanged', () => {
  it.skipIf(!existsSync(UPSTREAM))('our copies are byte-identical to ../shared/examples', () => {
    for (const f of ['baseline_cp1.json', 'policy_cp1.json']) {
      expect(readFileSync(new URL(f, SHARED), 'utf8')).toBe(
        readFileSync(new URL(f, UPSTREAM), 'utf8'),
      );
    }
  });

  it('pass against themselves', () => {
    expect(judge(seedPolicy, seedBaseline.metrics, seedBaseline.metrics).exitCode).toBe(0);
  });

  it('fail on each rule their semantics describe', () => {
    const m = seedBaseline.metrics;
    const cases: [string, number, boolean][] = [
      ['latency_p95_ms', 99 * 1.15, false],
      ['latency_p95_ms', 99 * 1.16, true],
      ['latency_p99_ms', 241, true],
      ['rps', 55.8, false],
      ['rps', 55.7, true],
      ['mem_mb_total_erlang', 109, true],
      ['errors_total', 1, true],
      ['backpressure_active_total', 1, true],
    ];
    for (const [k, v, fails] of cases) {
      expect(judge(seedPolicy, m, { ...m, [k]: v }).exitCode, `${k}=${v}`).toBe(fails ? 1 : 0);
    }
    expect(judge(seedPolicy, m, { ...m, rps: undefined }).exitCode).toBe(1);
  });

  it('do not check comparability (CP1 has none), version 2 does', () => {
    const envs = [
      { env: { cpu_model: 'A', cpu_cores: 8 } },
      { env: { cpu_model: 'B', cpu_cores: 2 } },
    ] as const;
    expect(
      judge(seedPolicy, seedBaseline.metrics, seedBaseline.metrics, envs[0], envs[1]).exitCode,
    ).toBe(0);
    const v2 = judge(
      { ...seedPolicy, version: '2' },
      seedBaseline.metrics,
      seedBaseline.metrics,
      envs[0],
      envs[1],
    );
    expect(v2.verdict).toBe('not_comparable');
    expect(v2.exitCode).toBe(3);
    expect(v2.reasons.join(' ')).toMatch(/CPU models differ/);
  });
});

describe('comparability', () => {
  const p: PolicyFile = { version: '2', rules: { m: { absolute: { max: 10 } } } };
  it('refuses a saturated generator on either side', () => {
    const o = judge(
      p,
      { m: 1 },
      { m: 1 },
      {},
      { generator: { saturated: true, reasons: ['send lag'] } },
    );
    expect(o.exitCode).toBe(3);
    expect(o.reasons[0]).toMatch(/candidate's load generator saturated \(send lag\)/);
  });
  it('refuses a run that lost generator agents, whatever its numbers', () => {
    const o = judge(p, { m: 1 }, { m: 1 }, { run: { partial: true } }, {});
    expect(o.verdict).toBe('not_comparable');
    expect(o.exitCode).toBe(3);
    expect(o.reasons[0]).toMatch(/baseline run lost generator agents \(partial\)/);
  });
  it('refuses different scenarios or target rates unless allowed', () => {
    expect(judge(p, { m: 1, target_rps: 100 }, { m: 1, target_rps: 200 }).exitCode).toBe(3);
    expect(
      judge(p, { m: 1 }, { m: 1 }, { scenario: { name: 'a' } }, { scenario: { name: 'b' } })
        .exitCode,
    ).toBe(3);
    const allowed = {
      ...p,
      comparability: { require_same_rate: false, require_same_scenario: false },
    };
    expect(
      judge(
        allowed,
        { m: 1, target_rps: 100 },
        { m: 1, target_rps: 200 },
        { scenario: { name: 'a' } },
        { scenario: { name: 'b' } },
      ).exitCode,
    ).toBe(0);
  });
});

describe('noise-aware rules', () => {
  const p: PolicyFile = {
    version: '2',
    rules: { m: { relative: { max_pct_increase: 10 }, confidence: 0.95 } },
  };
  const withSamples = (xs: number[]) => ({ samples: { m: xs } });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const run = (b: number[], c: number[]) =>
    judge(p, { m: mean(b) }, { m: mean(c) }, withSamples(b), withSamples(c));

  it('passes when the whole interval is inside the tolerance', () => {
    const o = run([100, 101, 99, 100, 102], [101, 100, 102, 99, 101]);
    expect(o.rules[0]!.status).toBe('pass');
    expect(o.rules[0]!.interval!.method).toBe('bootstrap-runs');
  });

  it('is a regression when the whole interval is beyond it', () => {
    const o = run([100, 101, 99], [130, 131, 129]);
    expect(o.rules[0]!.status).toBe('fail');
    expect(o.exitCode).toBe(1);
    expect(o.rules[0]!.interval!.lowPct).toBeGreaterThan(10);
  });

  it('is inconclusive when the interval straddles it (noise too high)', () => {
    const o = run([100, 60, 140], [110, 70, 150]);
    expect(o.rules[0]!.status).toBe('inconclusive');
    expect(o.verdict).toBe('inconclusive');
    expect(o.exitCode).toBe(3);
  });

  it('falls back to per-second intervals with one run per side', () => {
    const iv = (base: number) => ({
      intervals: Array.from({ length: 30 }, (_, t) => ({ t, ok: 100, p99_ms: base + (t % 3) })),
    });
    const q: PolicyFile = {
      version: '2',
      rules: { latency_p99_ms: { relative: { max_pct_increase: 10 }, confidence: 0.95 } },
    };
    const o = judge(q, { latency_p99_ms: 11 }, { latency_p99_ms: 16 }, iv(10), iv(15));
    expect(o.rules[0]!.interval!.method).toBe('bootstrap-intervals');
    expect(o.rules[0]!.status).toBe('fail');
  });

  it('says when it had to fall back to a point comparison', () => {
    const o = judge(p, { m: 100 }, { m: 105 });
    expect(o.rules[0]!.status).toBe('pass');
    expect(o.rules[0]!.why).toContain('no samples');
  });

  it('corrects the confidence for the number of noise-aware rules (Bonferroni)', () => {
    expect(bonferroni(0.95, 1)).toBe(0.95);
    expect(bonferroni(0.95, 5)).toBeCloseTo(0.99);
    const two: PolicyFile = {
      version: '2',
      rules: {
        m: { relative: { max_pct_increase: 10 }, confidence: 0.95 },
        n: { relative: { max_pct_increase: 10 }, confidence: 0.95 },
      },
    };
    const o = judge(
      two,
      { m: 1, n: 1 },
      { m: 1, n: 1 },
      { samples: { m: [1, 1.01], n: [1, 1.01] } },
      { samples: { m: [1, 1.01], n: [1, 1.01] } },
    );
    expect(o.rules[0]!.interval!.confidence).toBeCloseTo(0.975);
  });

  it('bootstrap intervals are reproducible and contain the true change', () => {
    const a = bootstrapChange([10, 11, 9, 10], [12, 13, 11, 12], 0.9, 2000, 'bootstrap-runs');
    const b = bootstrapChange([10, 11, 9, 10], [12, 13, 11, 12], 0.9, 2000, 'bootstrap-runs');
    expect(a).toEqual(b);
    expect(a!.lowPct).toBeLessThan(20);
    expect(a!.highPct).toBeGreaterThan(20);
  });
});
