import type { CompareRecord } from '../gate/compare.js';
import type { GateOutcome, RuleResult } from '../gate/evaluate.js';

/**
 * The gate's verdict in the forms CI and people read: a console table, Markdown for merge
 * requests and job summaries, JUnit XML (one test case per rule), OpenMetrics for GitLab's
 * metrics report, and JSON. Pure string builders; the caller writes them atomically.
 */
export interface GateReportInput {
  outcome: GateOutcome;
  baselinePath: string;
  candidatePath: string;
  policyPath: string;
  /** Set by `perf-gate compare`: its rounds and the intervals narrowing. */
  compare?: CompareRecord;
}

const num = (x: number | null): string =>
  x === null ? '-' : Number.isInteger(x) ? String(x) : x.toFixed(3).replace(/\.?0+$/, '');
const change = (r: RuleResult): string => {
  if (r.interval) return `${num(round2(r.interval.lowPct))}%..${num(round2(r.interval.highPct))}%`;
  if (r.change_pct !== null) return `${r.change_pct >= 0 ? '+' : ''}${num(round2(r.change_pct))}%`;
  return r.baseline === 0 && (r.candidate ?? 0) !== 0 ? 'inf' : '-';
};
const limit = (r: RuleResult): string => {
  switch (r.kind) {
    case 'max_pct_increase':
      return `<= +${num(r.limit)}%`;
    case 'max_pct_decrease':
      return `>= -${num(r.limit)}%`;
    case 'equals':
      return `= ${num(r.limit)}`;
    case 'max':
      return `<= ${num(r.limit)}`;
    case 'min':
      return `>= ${num(r.limit)}`;
  }
};
const round2 = (x: number): number => Math.round(x * 100) / 100;
const VERDICT_TEXT: Record<GateOutcome['verdict'], string> = {
  pass: 'PASS',
  regression: 'REGRESSION',
  inconclusive: 'INCONCLUSIVE',
  not_comparable: 'NOT COMPARABLE',
};

function rows(o: GateOutcome): string[][] {
  return o.rules.map((r) => [
    r.metric,
    r.id.replace(`${r.metric} `, ''),
    num(r.baseline),
    num(r.candidate),
    change(r),
    limit(r),
    r.status.toUpperCase(),
    r.why,
  ]);
}

const HEAD = ['metric', 'rule', 'baseline', 'candidate', 'change', 'limit', 'verdict', 'why'];

export function consoleReport(i: GateReportInput): string {
  const all = [HEAD, ...rows(i.outcome)];
  const widths = HEAD.map((_, c) =>
    Math.min(c === 7 ? 200 : 40, Math.max(...all.map((r) => r[c]!.length))),
  );
  const line = (r: string[]): string =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(HEAD),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows(i.outcome).map(line),
  ];
  for (const c of i.outcome.comparability.filter((x) => !x.ok))
    out.push(`not comparable: ${c.detail}`);
  if (i.compare) out.push('', compareLine(i.compare));
  out.push('', `perf-gate: ${VERDICT_TEXT[i.outcome.verdict]} (exit ${i.outcome.exitCode})`);
  for (const r of i.outcome.reasons) out.push(`  - ${r}`);
  return out.join('\n');
}

const md = (s: string): string => s.replace(/\|/g, '\\|');

export function markdownReport(i: GateReportInput): string {
  const o = i.outcome;
  const lines = [
    `## Performance gate: ${VERDICT_TEXT[o.verdict]}`,
    '',
    `Baseline \`${i.baselinePath}\`, candidate \`${i.candidatePath}\`, policy \`${i.policyPath}\`.`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `| ${HEAD.map(() => '---').join(' | ')} |`,
    ...rows(o).map((r) => `| ${r.map(md).join(' | ')} |`),
  ];
  if (o.reasons.length) lines.push('', '**Why:**', '', ...o.reasons.map((r) => `- ${md(r)}`));
  if (i.compare) lines.push('', compareLine(i.compare), '', ...compareTable(i.compare));
  const checks = o.comparability;
  if (checks.length)
    lines.push(
      '',
      '**Comparability:**',
      '',
      ...checks.map((c) => `- ${c.ok ? 'ok' : 'FAILED'}: ${md(c.detail)}`),
    );
  return `${lines.join('\n')}\n`;
}

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function junitReport(i: GateReportInput): string {
  const o = i.outcome;
  const cases = o.rules.map((r) => {
    const name = xml(r.id);
    const detail = xml(
      `${r.metric}: baseline ${num(r.baseline)}, candidate ${num(r.candidate)}, change ${change(r)}, limit ${limit(r)}: ${r.why}`,
    );
    let body = '';
    if (r.status === 'fail')
      body = `<failure message="${xml(r.why)}" type="regression">${detail}</failure>`;
    else if (r.status === 'missing' || (r.status === 'inconclusive' && r.severity === 'fail')) {
      body = `<error message="${xml(r.why)}" type="${r.status}">${detail}</error>`;
    } else if (r.status === 'skipped') body = `<skipped message="${xml(r.why)}"/>`;
    else body = `<system-out>${detail}</system-out>`;
    return `    <testcase classname="perf-gate.${xml(r.metric)}" name="${name}" time="0">${body}</testcase>`;
  });
  for (const c of o.comparability.filter((x) => !x.ok)) {
    cases.push(
      `    <testcase classname="perf-gate.comparability" name="${xml(c.check)}" time="0"><error message="${xml(c.detail)}" type="not_comparable"/></testcase>`,
    );
  }
  const failures = o.rules.filter((r) => r.status === 'fail').length;
  const errors = cases.filter((c) => c.includes('<error')).length;
  const skipped = o.rules.filter((r) => r.status === 'skipped').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="perf-gate" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    `  <testsuite name="perf-gate" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * A result metric's name in Prometheus conventions (promtool check metrics): base units
 * (`_ms` -> `_seconds`, `_mb` -> `_bytes`, `_pct` -> `_ratio`), and no `_total` on what
 * is a gauge here (a run's count, not a counter that keeps rising).
 */
export function promMetric(metric: string): { name: string; scale: number; unit: string } {
  let base = metric.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
  let scale = 1;
  let unit = '';
  const swap = (from: RegExp, to: string, k: number, u: string): void => {
    if (!from.test(base)) return;
    base = base.replace(from, to);
    scale = k;
    unit = u;
  };
  swap(/_ms$/, '_seconds', 1e-3, ', in seconds');
  swap(/_ms_/, '_seconds_', 1e-3, ', in seconds');
  swap(/_mb$/, '_bytes', 1048576, ', in bytes');
  swap(/_mb_/, '_bytes_', 1048576, ', in bytes');
  swap(/_pct$/, '_ratio', 1e-2, ', as a ratio');
  base = base.replace(/_total$/, '');
  return { name: `perf_${base}`, scale, unit };
}

/** GitLab's metrics report: one `name{labels} value` line per metric and side, lint-clean. */
export function openMetricsReport(i: GateReportInput): string {
  const o = i.outcome;
  const lines: string[] = [];
  const seen = new Set<string>();
  const value = (x: number, k: number): string => String(Number((x * k).toPrecision(12)));
  for (const r of o.rules) {
    if (seen.has(r.metric)) continue;
    seen.add(r.metric);
    const { name, scale, unit } = promMetric(r.metric);
    lines.push(
      `# HELP ${name} ${r.metric} of the baseline and the candidate run${unit}.`,
      `# TYPE ${name} gauge`,
    );
    if (r.baseline !== null) lines.push(`${name}{side="baseline"} ${value(r.baseline, scale)}`);
    if (r.candidate !== null) lines.push(`${name}{side="candidate"} ${value(r.candidate, scale)}`);
  }
  lines.push(
    "# HELP perf_gate_exit_code The gate's exit code: 0 pass, 1 regression, 3 inconclusive or not comparable.",
    '# TYPE perf_gate_exit_code gauge',
    `perf_gate_exit_code ${o.exitCode}`,
    '# HELP perf_gate_rules_failed Rules of severity fail that the candidate violated.',
    '# TYPE perf_gate_rules_failed gauge',
    `perf_gate_rules_failed ${o.rules.filter((r) => r.status === 'fail').length}`,
  );
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export function jsonReport(i: GateReportInput): string {
  const o = i.outcome;
  return `${JSON.stringify(
    {
      schema: 'perf-gate-verdict/v1',
      verdict: o.verdict,
      exit_code: o.exitCode,
      reasons: o.reasons,
      baseline: i.baselinePath,
      candidate: i.candidatePath,
      policy: i.policyPath,
      comparability: o.comparability,
      rules: o.rules,
      ...(i.compare ? { compare: i.compare } : {}),
    },
    null,
    2,
  )}\n`;
}

const STOP_TEXT: Record<CompareRecord['stop_reason'], string> = {
  decided: 'decided',
  budget: 'budget spent',
  interrupted: 'interrupted',
  invalid_rounds: 'too many invalid rounds',
  pairs: 'the pairs asked for were run',
};

/** One line on what a comparison did: pairs, time, why it stopped. */
export function compareLine(c: CompareRecord): string {
  const used = c.pairs.length - c.discarded.length;
  const aside = c.discarded.length ? `, ${c.discarded.length} set aside` : '';
  return `compare: ${used} pairs of ${c.round_s}s rounds (+${c.warmup_s}s warm-up each${aside}), ${c.elapsed_s}s of a ${c.budget_s}s budget, stopped: ${STOP_TEXT[c.stop_reason]}. Baseline ${c.targets.baseline}; candidate ${c.targets.candidate}.`;
}

/** Markdown: each pair's change and each rule's interval after it, one row per pair. */
function compareTable(c: CompareRecord): string[] {
  const rules = [...new Set(c.steps.map((s) => s.rule))];
  if (!rules.length) return [];
  const byPair = new Map<number, Map<string, (typeof c.steps)[number]>>();
  for (const s of c.steps) {
    if (!byPair.has(s.pair)) byPair.set(s.pair, new Map());
    byPair.get(s.pair)!.set(s.rule, s);
  }
  const pct = (x: number | null): string =>
    x === null || !Number.isFinite(x) ? 'inf' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
  const head = ['pair', 'first', ...rules.map((r) => `${md(r)}: this pair, interval`)];
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...c.pairs.map((p) => {
      const row = byPair.get(p.index);
      const cells = rules.map((r) => {
        const s = row?.get(r);
        return s ? `${pct(s.change_pct)}, [${pct(s.low_pct)}, ${pct(s.high_pct)}]` : 'set aside';
      });
      return `| ${p.index} | ${p.first} | ${cells.join(' | ')} |`;
    }),
  ];
}
