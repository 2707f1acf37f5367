import { existsSync } from 'node:fs';
import { ExitCode, ToolError } from '../errors.js';
import { judgeRun } from '../result/validity.js';
import { evaluate, type GateOutcome } from '../gate/evaluate.js';
import { asGateDoc, loadGateDoc, readMetric, type GateDoc } from '../gate/document.js';
import { loadPolicy, readJsonFile, type Policy } from '../gate/policy.js';
import { bonferroni, coefficientOfVariation } from '../gate/stats.js';
import {
  consoleReport,
  jsonReport,
  junitReport,
  markdownReport,
  openMetricsReport,
  type GateReportInput,
} from '../report/gate-reports.js';
import type { Scenario } from '../scenario/scenario.js';
import { gateHtml } from '../report/html.js';
import { appendJobSummary } from '../report/job-summary.js';
import { loadPerformanceOf } from '../report/load-performance.js';
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { runBench, type BenchIo } from './bench.js';

/**
 * perf-gate's I/O: load and validate the inputs (bad input exits 2 before anything runs),
 * optionally run the bench for the candidate, judge with the pure evaluator, write reports.
 */
export interface GateFiles {
  baseline: string;
  policy: string;
  candidate?: string;
  scenario?: Scenario;
  /** k6 summary-export of the candidate run, for GitLab's Load Performance widget. */
  loadPerformance?: string;
  junit?: string;
  markdown?: string;
  metrics?: string;
  json?: string;
  html?: string;
}

export async function runGate(
  f: GateFiles,
  io: BenchIo,
): Promise<{ outcome: GateOutcome; exitCode: number }> {
  const policy = await loadPolicy(f.policy);
  const baseline = await loadGateDoc(f.baseline, 'baseline');
  for (const p of [f.junit, f.markdown, f.metrics, f.json, f.html, f.loadPerformance])
    if (p) await assertWritable(p);
  let candidate: GateDoc;
  let candidatePath: string;
  let candidateRaw: unknown;
  if (f.candidate) {
    candidateRaw = await readJsonFile(f.candidate, 'candidate');
    candidate = asGateDoc(candidateRaw, f.candidate, 'candidate');
    candidatePath = f.candidate;
  } else if (f.scenario) {
    const { result, exitCode } = await runBench(f.scenario, io);
    if (exitCode === ExitCode.interrupted) return { outcome: interruptedOutcome(), exitCode };
    candidateRaw = JSON.parse(JSON.stringify(result));
    candidate = asGateDoc(candidateRaw, f.scenario.outputs.out, 'candidate');
    candidatePath = f.scenario.outputs.out;
  } else {
    throw new ToolError('E_USAGE', 'give --candidate FILE or --scenario FILE');
  }
  if (f.loadPerformance) {
    const k6 = loadPerformanceOf(candidateRaw);
    if (!k6)
      throw new ToolError(
        'E_INPUT_INVALID',
        `--load-performance needs a bench-router result as the candidate; ${candidatePath} has no counters and latency histogram`,
      );
    await writeFileAtomic(f.loadPerformance, k6);
  }
  const outcome = evaluate(policy, baseline, candidate);
  await writeGateReports(
    { outcome, baselinePath: f.baseline, candidatePath, policyPath: f.policy },
    f,
    { baseline: baseline.latency, candidate: candidate.latency },
    io,
  );
  return { outcome, exitCode: outcome.exitCode };
}

/** The verdict on the console and into every report file asked for, atomically. */
export async function writeGateReports(
  input: GateReportInput,
  files: { junit?: string; markdown?: string; metrics?: string; json?: string; html?: string },
  latency: { baseline?: string; candidate?: string },
  io: BenchIo,
): Promise<void> {
  if (!io.quiet) io.stdout.write(`${consoleReport(input)}\n`);
  await appendJobSummary(markdownReport(input));
  const writes: [string | undefined, (i: GateReportInput) => string][] = [
    [files.junit, junitReport],
    [files.markdown, markdownReport],
    [files.metrics, openMetricsReport],
    [files.json, jsonReport],
  ];
  for (const [path, render] of writes) if (path) await writeFileAtomic(path, render(input));
  if (files.html)
    await writeFileAtomic(
      files.html,
      gateHtml(
        input.outcome,
        { path: input.baselinePath, latency: latency.baseline },
        { path: input.candidatePath, latency: latency.candidate },
        input.compare,
      ),
    );
}

function interruptedOutcome(): GateOutcome {
  return {
    verdict: 'inconclusive',
    exitCode: 3,
    reasons: ['the candidate run was interrupted'],
    rules: [],
    comparability: [],
  };
}

/** `perf-gate baseline update`: a new baseline with provenance, atomically, never from a bad run. */
export async function updateBaseline(
  from: string,
  to: string,
  reason: string,
  io: BenchIo,
): Promise<void> {
  const raw = await readJsonFile(from, 'run');
  const doc = asGateDoc(raw, from, 'candidate');
  const problem = judgeRun(doc).findings[0];
  if (problem) throw new ToolError('E_BASELINE_REFUSED', `refusing ${from}: ${problem.summary}`);
  const exit = (raw as { run?: { exit_code?: unknown } }).run?.exit_code;
  if (exit !== undefined && exit !== 0)
    throw new ToolError(
      'E_BASELINE_REFUSED',
      `refusing ${from}: the run exited ${JSON.stringify(exit)}`,
    );
  if (!reason.trim()) throw new ToolError('E_USAGE', '--reason must say why the baseline changes');
  // The baseline being replaced, read once: its metrics for the table, its commit for provenance.
  const oldRaw = existsSync(to) ? await readJsonFile(to, 'baseline') : undefined;
  const old = oldRaw === undefined ? undefined : asGateDoc(oldRaw, to, 'baseline');
  const r = raw as Record<string, unknown>;
  const runs = Array.isArray((r.samples as Record<string, unknown[]> | undefined)?.rps)
    ? (r.samples as Record<string, unknown[]>).rps!.length
    : 1;
  const out = {
    ...r,
    provenance: {
      reason,
      updated_at: new Date().toISOString(),
      from,
      commit: (r.git as { commit?: unknown } | undefined)?.commit ?? null,
      env: r.env ?? null,
      runs,
      previous: old
        ? { commit: (oldRaw as { git?: { commit?: unknown } }).git?.commit ?? null }
        : null,
    },
  };
  await writeFileAtomic(to, `${JSON.stringify(out, null, 2)}\n`);
  if (io.quiet) return;
  const keys = [
    ...new Set([...Object.keys(old?.metrics ?? {}), ...Object.keys(doc.metrics)]),
  ].sort();
  const cell = (d: GateDoc | undefined, k: string): string => {
    const v = d?.metrics[k];
    return typeof v === 'number' ? String(v) : '-';
  };
  const rows = [['metric', 'before', 'after'], ...keys.map((k) => [k, cell(old, k), cell(doc, k)])];
  const w = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
  io.stdout.write(
    `${rows.map((row) => row.map((x, c) => x.padEnd(w[c]!)).join('  ')).join('\n')}\n\nbaseline written to ${to} (${reason})\n`,
  );
}

/** `perf-gate slo derive`: targets from a baseline, with the rationale written down. */
export async function deriveSlo(
  baselinePath: string,
  factor: number,
  errorBudget: number,
  policyOut: string,
  docOut: string,
  io: BenchIo,
): Promise<void> {
  if (!(factor >= 1)) throw new ToolError('E_USAGE', `--factor must be >= 1 (got ${factor})`);
  const base = await loadGateDoc(baselinePath, 'baseline');
  const read = (m: string): number | undefined => readMetric(base, m, {})?.value;
  const p99 = read('latency_p99_ms');
  if (p99 === undefined)
    throw new ToolError(
      'E_METRIC_UNKNOWN',
      `baseline ${baselinePath}: no latency_p99_ms to derive an SLO from`,
    );
  const p999 = read('latency_p999_ms');
  const errRateRead = read('error_rate');
  const errRate = errRateRead ?? 0;
  const up = (x: number): number => Number((Math.ceil(x * 100) / 100).toPrecision(3));
  const budget = Math.max(errorBudget, up(errRate * factor));
  const slo = [
    {
      expr: `latency_p99_ms <= ${up(p99 * factor)}`,
      rationale: `baseline p99 ${p99} ms x ${factor}`,
    },
    ...(p999 !== undefined
      ? [
          {
            expr: `latency_p999_ms <= ${up(p999 * factor)}`,
            severity: 'warn' as const,
            rationale: `baseline p99.9 ${p999} ms x ${factor}; a warning, the tail is noisy`,
          },
        ]
      : []),
    // Only metrics the baseline has: a rule on a metric no result carries could never judge.
    ...(errRateRead !== undefined
      ? [
          {
            expr: `error_rate <= ${budget}`,
            rationale: `error budget ${(budget * 100).toFixed(3)}% (baseline ${(errRate * 100).toFixed(3)}% x ${factor}, at least ${(errorBudget * 100).toFixed(3)}%)`,
          },
        ]
      : []),
  ];
  const policy = {
    version: '2',
    description: `SLO derived from ${baselinePath} with factor ${factor} on ${new Date().toISOString().slice(0, 10)}`,
    slo,
    gate: { require_all_metrics_present: true, refuse_saturated_generator: true },
  };
  const availability = (1 - budget) * 100;
  const doc = [
    '# Service level objectives',
    '',
    `Derived by \`perf-gate slo derive\` from \`${baselinePath}\` (commit ${String((base as unknown as { git?: { commit?: string } }).git?.commit ?? 'unknown')}) with factor ${factor}.`,
    '',
    '| objective | target | rationale |',
    '| --- | --- | --- |',
    ...slo.map((s) => `| \`${s.expr}\` | ${'severity' in s ? 'warn' : 'fail'} | ${s.rationale} |`),
    `| availability | ${availability.toFixed(3)}% | 1 - error budget: at most ${(budget * 100).toFixed(3)}% of requests may fail or time out |`,
    '',
    'Latency targets are the baseline measured from intended send times (coordinated-omission',
    `corrected) times ${factor}: headroom for run-to-run noise and normal growth, tight enough to`,
    'catch a real slowdown. Re-derive when the baseline changes for a reason you accept.',
    '',
  ].join('\n');
  await writeFileAtomic(policyOut, `${JSON.stringify(policy, null, 2)}\n`);
  await writeFileAtomic(docOut, doc);
  if (!io.quiet)
    io.stdout.write(
      `${slo.map((s) => `  ${s.expr}   (${s.rationale})`).join('\n')}\n\npolicy written to ${policyOut}, rationale to ${docOut}\n`,
    );
}

/** `perf-gate calibrate`: how noisy is this scenario here, and can the policy tell? */
export interface CalibrationRow {
  metric: string;
  mean: number;
  cv_pct: number;
  min_detectable_pct: number;
}

export function calibrationTable(
  samples: Record<string, number[]>,
  runs: number,
  confidence: number,
): CalibrationRow[] {
  // Smallest change a comparison of n runs per side detects at this confidence with 80% power.
  const z = (p: number): number => {
    // Normal quantile, Abramowitz & Stegun 26.2.23 (error < 4.5e-4), for 0.5 < p < 1.
    const t = Math.sqrt(-2 * Math.log(1 - p));
    return (
      t -
      (2.515517 + 0.802853 * t + 0.010328 * t * t) /
        (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3)
    );
  };
  const k = z(1 - (1 - confidence) / 2) + z(0.8);
  return Object.entries(samples).map(([metric, xs]) => {
    const cv = coefficientOfVariation(xs);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      metric,
      mean: Math.round(mean * 1000) / 1000,
      cv_pct: Math.round(cv * 10000) / 100,
      min_detectable_pct: Math.round(k * Math.sqrt(2 / Math.max(1, runs)) * cv * 10000) / 100,
    };
  });
}

export function calibrationWarnings(rows: CalibrationRow[], policy: Policy | undefined): string[] {
  if (!policy) return [];
  const out: string[] = [];
  const m = policy.rules.filter((r) => r.confidence !== undefined).length;
  for (const r of policy.rules) {
    if (r.kind !== 'max_pct_increase' && r.kind !== 'max_pct_decrease') continue;
    const name = policy.aliases[r.metric] ?? r.metric;
    const row = rows.find((x) => x.metric === r.metric || x.metric === name);
    if (!row) continue;
    // A point rule compares two single runs: their difference spreads ~2.77 x CV (95%).
    const floor =
      r.confidence !== undefined
        ? row.min_detectable_pct
        : Math.round(2.77 * row.cv_pct * 100) / 100;
    if (r.limit < floor) {
      out.push(
        `${r.id}: tolerance ${r.limit}% is tighter than the noise allows (${floor}% with ${r.confidence !== undefined ? `confidence ${bonferroni(r.confidence, m).toFixed(4)} over the runs` : 'single-run point comparison'}); expect flapping verdicts`,
      );
    }
  }
  return out;
}
