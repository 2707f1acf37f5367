import { ToolError } from '../errors.js';
import { judgeRun } from '../result/validity.js';
import type { GateDoc } from './document.js';
import { readIntervalSeries, readMetric, readSamples } from './document.js';
import type { Policy, Rule } from './policy.js';
import { bonferroni, bootstrapChange, type ChangeInterval } from './stats.js';

/**
 * The gate's judgement, pure: documents and a policy in, one result per rule and an overall
 * verdict out. Point rules follow the CP1 semantics exactly; rules with a confidence give a
 * three-way verdict from a bootstrap interval on the relative change.
 */
export type RuleStatus = 'pass' | 'fail' | 'warn' | 'inconclusive' | 'missing' | 'skipped';

export interface RuleResult {
  id: string;
  metric: string;
  kind: Rule['kind'];
  limit: number;
  severity: Rule['severity'];
  status: RuleStatus;
  baseline: number | null;
  candidate: number | null;
  /** Relative change in %, null where undefined; Infinity is written as null with a why. */
  change_pct: number | null;
  interval?: ChangeInterval & { confidence: number };
  why: string;
}

export type Verdict = 'pass' | 'regression' | 'inconclusive' | 'not_comparable';

export interface GateOutcome {
  verdict: Verdict;
  exitCode: 0 | 1 | 3;
  reasons: string[];
  rules: RuleResult[];
  comparability: { check: string; ok: boolean; detail: string }[];
}

const fmt = (x: number): string =>
  Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/\.?0+$/, '');

export function relativeChange(base: number, cand: number): number {
  if (base === 0) return cand === 0 ? 0 : cand > 0 ? Infinity : -Infinity;
  return ((cand - base) / Math.abs(base)) * 100;
}

/**
 * Where a noise-aware rule's interval comes from: a bootstrap over the documents' samples
 * (the stored-baseline gate) or the paired confidence sequence of `perf-gate compare`.
 */
export interface IntervalSource {
  interval(
    rule: Rule,
    baseName: string,
    candName: string,
    confidence: number,
  ): ChangeInterval | undefined;
  /** Said before the point comparison a rule falls back to when there is no interval. */
  fallback: string;
}

export function bootstrapSource(base: GateDoc, cand: GateDoc, iterations: number): IntervalSource {
  return {
    interval: (_rule, bName, cName, conf) =>
      changeInterval(base, cand, bName, cName, conf, iterations),
    fallback: 'no samples (use --repeat): point comparison; ',
  };
}

export function evaluate(
  policy: Policy,
  base: GateDoc,
  cand: GateDoc,
  source: IntervalSource = bootstrapSource(base, cand, policy.gate.bootstrapIterations),
): GateOutcome {
  const noiseAware = policy.rules.filter((r) => r.confidence !== undefined && isRelative(r)).length;
  const rules = policy.rules.map((r) => evaluateRule(r, policy, base, cand, noiseAware, source));
  const comparability = checkComparability(policy, base, cand);
  const reasons: string[] = [];

  if (policy.gate.requireCandidateCtExitCodeZero) {
    const code = cand.run?.ct_exit_code;
    if (code !== undefined && code !== 0) {
      rules.push({
        id: 'gate.require_candidate_ct_exit_code_zero',
        metric: 'run.ct_exit_code',
        kind: 'equals',
        limit: 0,
        severity: 'fail',
        status: 'fail',
        baseline: null,
        candidate: typeof code === 'number' ? code : null,
        change_pct: null,
        why: `the candidate's test run exited ${JSON.stringify(code)}`,
      });
    }
  }
  const failed = rules.filter((r) => r.status === 'fail');
  const missing = rules.filter((r) => r.status === 'missing');
  const inconclusive = rules.filter((r) => r.status === 'inconclusive' && r.severity === 'fail');
  const incomparable = comparability.filter((c) => !c.ok);

  if (incomparable.length) {
    reasons.push(...incomparable.map((c) => `not comparable: ${c.detail}`));
    return { verdict: 'not_comparable', exitCode: 3, reasons, rules, comparability };
  }
  if (failed.length) {
    reasons.push(...failed.map((r) => `${r.id}: ${r.why}`));
    return { verdict: 'regression', exitCode: 1, reasons, rules, comparability };
  }
  if (missing.length) {
    reasons.push(...missing.map((r) => `${r.id}: ${r.why}`));
    return { verdict: 'not_comparable', exitCode: 3, reasons, rules, comparability };
  }
  if (inconclusive.length) {
    reasons.push(...inconclusive.map((r) => `${r.id}: ${r.why}`));
    return { verdict: 'inconclusive', exitCode: 3, reasons, rules, comparability };
  }
  return { verdict: 'pass', exitCode: 0, reasons, rules, comparability };
}

export function isRelative(r: Rule): boolean {
  return r.kind === 'max_pct_increase' || r.kind === 'max_pct_decrease';
}

function evaluateRule(
  r: Rule,
  policy: Policy,
  base: GateDoc,
  cand: GateDoc,
  noiseAware: number,
  source: IntervalSource,
): RuleResult {
  const b = readMetric(base, r.metric, policy.aliases);
  const c = readMetric(cand, r.metric, policy.aliases);
  const res: RuleResult = {
    id: r.id,
    metric: r.metric,
    kind: r.kind,
    limit: r.limit,
    severity: r.severity,
    status: 'pass',
    baseline: b?.value ?? null,
    candidate: c?.value ?? null,
    change_pct: null,
    why: '',
  };
  if (!b && !c) {
    throw new ToolError(
      'E_METRIC_UNKNOWN',
      `policy rule ${r.id}: metric "${r.metric}" is in neither the baseline nor the candidate`,
    );
  }
  const absent = (where: string): RuleResult => ({
    ...res,
    status: policy.gate.requireAllMetricsPresent ? 'missing' : 'skipped',
    why: `metric missing from the ${where}`,
  });
  // CP1 defines a required metric missing from the candidate as a failed gate (exit 1); version 2
  // calls it "not comparable" (exit 3), since a run that measured less is not a slower run.
  if (!c && policy.cp1 && policy.gate.requireAllMetricsPresent)
    return { ...res, status: 'fail', why: 'metric missing from the candidate (CP1: required)' };
  if (!c) return absent('candidate');
  const violated = (why: string): RuleResult => ({
    ...res,
    status: r.severity === 'warn' ? 'warn' : 'fail',
    why,
  });

  if (!isRelative(r)) {
    const v = c.value;
    if (b) res.change_pct = finiteOrNull(relativeChange(b.value, v));
    if (r.kind === 'equals')
      return v === r.limit
        ? { ...res, why: `= ${fmt(r.limit)}` }
        : violated(`${fmt(v)} != ${fmt(r.limit)}`);
    if (r.kind === 'max')
      return v <= r.limit
        ? { ...res, why: `<= ${fmt(r.limit)}` }
        : violated(`${fmt(v)} > ${fmt(r.limit)}`);
    return v >= r.limit
      ? { ...res, why: `>= ${fmt(r.limit)}` }
      : violated(`${fmt(v)} < ${fmt(r.limit)}`);
  }
  if (!b) return absent('baseline');
  const change = relativeChange(b.value, c.value);
  res.change_pct = finiteOrNull(change);
  const up = r.kind === 'max_pct_increase';

  if (r.confidence !== undefined) {
    const conf = bonferroni(r.confidence, noiseAware);
    const iv = source.interval(r, b.name, c.name, conf);
    if (iv) {
      res.interval = { ...iv, confidence: round(conf, 5) };
      const span = `[${fmt(round(iv.lowPct, 2))}%, ${fmt(round(iv.highPct, 2))}%] at ${fmt(round(conf * 100, 3))}% (${iv.method}, n=${iv.n.join('/')})`;
      const beyond = up ? iv.lowPct > r.limit : iv.highPct < -r.limit;
      const within = up ? iv.highPct <= r.limit : iv.lowPct >= -r.limit;
      if (beyond)
        return violated(`change ${span} is wholly beyond ${up ? '+' : '-'}${fmt(r.limit)}%`);
      if (within)
        return { ...res, why: `change ${span} is within ${up ? '+' : '-'}${fmt(r.limit)}%` };
      return {
        ...res,
        status: 'inconclusive',
        why: `change ${span} straddles ${up ? '+' : '-'}${fmt(r.limit)}%: too noisy to tell`,
      };
    }
    // No interval to be had: fall back to the point comparison, and say so.
    res.why = source.fallback;
  }
  if (up) {
    if (change > r.limit + EPS) {
      return violated(
        `${res.why}${fmt(b.value)} -> ${fmt(c.value)}: ${Number.isFinite(change) ? `+${fmt(round(change, 2))}%` : 'infinite increase from 0'} > +${fmt(r.limit)}%`,
      );
    }
    return { ...res, why: `${res.why}${fmtChange(change)} <= +${fmt(r.limit)}%` };
  }
  // A decrease from a baseline of 0 cannot happen: such a rule never fails.
  if (b.value !== 0 && change < -r.limit - EPS) {
    return violated(
      `${res.why}${fmt(b.value)} -> ${fmt(c.value)}: ${fmt(round(change, 2))}% < -${fmt(r.limit)}%`,
    );
  }
  return { ...res, why: `${res.why}${fmtChange(change)} >= -${fmt(r.limit)}%` };
}

function changeInterval(
  base: GateDoc,
  cand: GateDoc,
  bName: string,
  cName: string,
  conf: number,
  iterations: number,
): ChangeInterval | undefined {
  const bs = readSamples(base, bName);
  const cs = readSamples(cand, cName);
  if (bs && cs) return bootstrapChange(bs, cs, conf, iterations, 'bootstrap-runs');
  const bi = readIntervalSeries(base, bName);
  const ci = readIntervalSeries(cand, cName);
  if (bi && ci) return bootstrapChange(bi, ci, conf, iterations, 'bootstrap-intervals', 5);
  return undefined;
}

function checkComparability(
  policy: Policy,
  base: GateDoc,
  cand: GateDoc,
): GateOutcome['comparability'] {
  const out: GateOutcome['comparability'] = [];
  if (policy.gate.refuseSaturatedGenerator) {
    for (const d of [base, cand]) {
      for (const f of judgeRun(d).findings) {
        if (f.problem === 'saturated')
          out.push({
            check: 'generator',
            ok: false,
            detail: `the ${d.what}'s load generator saturated (${f.reasons[0]}); its numbers describe the generator, not the target`,
          });
        else if (f.problem === 'partial')
          out.push({
            check: 'generator',
            ok: false,
            detail: `the ${d.what} run lost generator agents (partial): it offered less load than its scenario`,
          });
      }
    }
  }
  const same = (check: string, enabled: boolean, a: unknown, b: unknown, label: string): void => {
    if (!enabled || a === undefined || b === undefined) return;
    const ok = JSON.stringify(a) === JSON.stringify(b);
    out.push({
      check,
      ok,
      detail: ok
        ? `${label} match`
        : `${label} differ: baseline ${JSON.stringify(a)}, candidate ${JSON.stringify(b)}`,
    });
  };
  same(
    'cpu_model',
    policy.comparability.cpu,
    base.env?.cpu_model,
    cand.env?.cpu_model,
    'CPU models',
  );
  same(
    'cpu_cores',
    policy.comparability.cpu,
    base.env?.cpu_cores,
    cand.env?.cpu_cores,
    'CPU core counts',
  );
  same(
    'scenario',
    policy.comparability.scenario,
    base.scenario?.name,
    cand.scenario?.name,
    'scenarios',
  );
  same(
    'target_rps',
    policy.comparability.rate,
    base.metrics.target_rps,
    cand.metrics.target_rps,
    'target rates',
  );
  return out;
}

/** Float slack: 62 -> 55.8 is exactly -10%, not -10.000000000000002%. */
const EPS = 1e-9;
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? round(x, 3) : null);
const fmtChange = (c: number): string =>
  Number.isFinite(c) ? `${c >= 0 ? '+' : ''}${fmt(round(c, 2))}%` : 'infinite change';
