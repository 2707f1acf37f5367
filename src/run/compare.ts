import { gateMetrics } from '../gate/document.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, ToolError } from '../errors.js';
import { generatorFinding, judgeRun } from '../result/validity.js';
import { collectEnvironment, collectGit } from '../env/environment.js';
import {
  CompareJudge,
  comparePolicy,
  type Pair,
  type Round,
  type Side,
  type CompareRecord,
  type CompareStep,
} from '../gate/compare.js';
import type { GateOutcome } from '../gate/evaluate.js';
import { loadPolicy, normalizePolicy } from '../gate/policy.js';
import { mergeEncoded } from '../record/histogram.js';
import type { BenchResult } from '../result/result.js';
import { readScenarioFile } from '../scenario/resolve.js';
import { mulberry32 } from '../schedule/arrivals.js';
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { parseDuration } from '../util/duration.js';
import { mdeTable, mdeWarnings } from '../gate/mde.js';
import { runBench, type BenchIo, type RunContext } from './bench.js';
import { prepareSide, type CompareOptions, type PreparedSide } from './compare-sides.js';
import type { PreparedTarget } from './target-phase.js';

export type { CompareOptions, CompareSideSpec } from './compare-sides.js';
import { writeGateReports } from './gate.js';

/**
 * `perf-gate compare`'s I/O: start what must be started (built-in routers), then run the
 * scenario against the baseline and the candidate in alternating short rounds (the order
 * within each pair drawn from the seed, never both loaded at once), hand each pair to the
 * pure judge, and stop when it has decided or the budget would be overrun.
 */
const MAX_DISCARDED_SHARE = 0.25;

export async function runCompare(
  o: CompareOptions,
  io: BenchIo,
): Promise<{ outcome: GateOutcome; record: CompareRecord; exitCode: number }> {
  const policy = comparePolicy(o.policy, o.confidence);
  for (const p of Object.values(o.outputs)) if (p) await assertWritable(p);
  const dir = await mkdtemp(join(tmpdir(), 'perf-gate-compare-'));
  const targets: PreparedTarget[] = [];
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const side = async (which: Side): Promise<PreparedSide> => {
      const prepared = await prepareSide(which, o, dir);
      targets.push(prepared.target);
      return prepared;
    };
    const sides = { baseline: await side('baseline'), candidate: await side('candidate') };
    const ctx: RunContext = { env: collectEnvironment(), git: collectGit() };
    const judge = new CompareJudge(policy);
    const rng = mulberry32(o.seed ?? sides.baseline.seed);
    const latency: Record<Side, string[]> = { baseline: [], candidate: [] };
    const pairs: Pair[] = [];
    const t0 = Date.now();
    let step: CompareStep = judge.judge();
    let stop: CompareRecord['stop_reason'] = 'budget';
    let pairMs = 0;
    for (let index = 1; ; index++) {
      // Start a pair only if it fits: a comparison never overruns its budget by a pair.
      if (Date.now() - t0 + pairMs > o.budgetMs) break;
      if (o.fixedPairs !== undefined && index > o.fixedPairs) {
        stop = 'pairs';
        break;
      }
      const started = Date.now();
      const order: Side[] = rng() < 0.5 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
      const rounds: Partial<Record<Side, Round>> = {};
      for (const side of order) {
        const { result, exitCode } = await runBench(
          sides[side].scenario,
          { ...io, quiet: true },
          { ...ctx, target: sides[side].target },
        );
        if (exitCode === ExitCode.interrupted || interrupted) {
          interrupted = true;
          break;
        }
        rounds[side] = toRound(side, result);
        latency[side].push(result.histograms.latency);
      }
      if (interrupted) {
        stop = 'interrupted';
        break;
      }
      const pair: Pair = {
        index,
        first: order[0]!,
        baseline: rounds.baseline!,
        candidate: rounds.candidate!,
      };
      pairs.push(pair);
      step = judge.add(pair);
      pairMs = Date.now() - started;
      if (!io.quiet) io.stderr.write(`${progressLine(pair, judge, step)}\n`);
      if (step.decided && o.fixedPairs === undefined) {
        stop = 'decided';
        break;
      }
      const dropped = judge.discarded.length;
      if (dropped >= 2 && dropped > MAX_DISCARDED_SHARE * pairs.length) {
        stop = 'invalid_rounds';
        break;
      }
    }
    const outcome = finalOutcome(step, stop, judge, pairs.length);
    const record: CompareRecord = {
      pairs,
      steps: judge.steps,
      discarded: judge.discarded,
      stop_reason: stop,
      budget_s: o.budgetMs / 1000,
      elapsed_s: Math.round((Date.now() - t0) / 100) / 10,
      round_s: sides.baseline.scenario.load.durationMs / 1000,
      warmup_s: sides.baseline.scenario.load.warmupMs / 1000,
      confidence: o.confidence,
      seed: o.seed ?? sides.baseline.seed,
      targets: { baseline: sides.baseline.label, candidate: sides.candidate.label },
    };
    const merged = (side: Side): string | undefined =>
      latency[side].length ? mergeEncoded(latency[side]) : undefined;
    await writeGateReports(
      {
        outcome,
        baselinePath: `${record.targets.baseline} (${judge.used} rounds)`,
        candidatePath: `${record.targets.candidate} (${judge.used} rounds)`,
        policyPath: o.policyPath,
        compare: record,
      },
      o.outputs,
      { baseline: merged('baseline'), candidate: merged('candidate') },
      io,
    );
    const exitCode = stop === 'interrupted' ? ExitCode.interrupted : outcome.exitCode;
    return { outcome, record, exitCode };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await Promise.all(targets.map((t) => t.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

function toRound(side: Side, r: BenchResult): Round {
  const finding = generatorFinding(judgeRun(r));
  const invalid =
    finding?.problem === 'saturated'
      ? `the ${side} round's load generator saturated (${finding.reasons[0]})`
      : finding
        ? `the ${side} round lost generator agents`
        : undefined;
  return {
    side,
    metrics: gateMetrics(r),
    started_at: r.run.started_at,
    duration_s: r.run.duration_s,
    ...(invalid ? { invalid } : {}),
  };
}

function progressLine(pair: Pair, judge: CompareJudge, step: CompareStep): string {
  const rules = step.outcome.rules
    .filter((r) => r.interval)
    .map((r) =>
      Number.isFinite(r.interval!.highPct)
        ? `${r.metric} [${fmtPct(r.interval!.lowPct)}, ${fmtPct(r.interval!.highPct)}] ${r.status}`
        : `${r.metric} no interval yet`,
    );
  const set = judge.discarded.at(-1)?.pair === pair.index ? ' (set aside: invalid round)' : '';
  return `pair ${pair.index} (${pair.first} first)${set}: ${rules.join('; ')}`;
}

const fmtPct = (x: number): string =>
  Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)}%` : x > 0 ? '+inf' : '-inf';

function finalOutcome(
  step: CompareStep,
  stop: CompareRecord['stop_reason'],
  judge: CompareJudge,
  pairs: number,
): GateOutcome {
  const o = step.outcome;
  const said = `${judge.used} of ${pairs} pairs used`;
  if (stop === 'interrupted')
    return {
      ...o,
      verdict: 'inconclusive',
      exitCode: 3,
      reasons: [`interrupted after ${said}`, ...o.reasons],
    };
  if (stop === 'pairs') return { ...o, reasons: [`ran ${said}, as asked`, ...o.reasons] };
  if (stop === 'invalid_rounds')
    return {
      ...o,
      verdict: 'not_comparable',
      exitCode: 3,
      reasons: [
        `${judge.discarded.length} of ${pairs} pairs had an invalid round: ${judge.discarded[0]!.why}`,
        ...o.reasons,
      ],
    };
  if (stop === 'budget' && !step.decided && o.verdict !== 'not_comparable')
    return {
      ...o,
      verdict: o.verdict === 'regression' ? o.verdict : 'inconclusive',
      exitCode: o.verdict === 'regression' ? 1 : 3,
      reasons: [`budget spent after ${said}: not decided`, ...o.reasons],
    };
  return { ...o, reasons: [`decided after ${said}`, ...o.reasons] };
}

/**
 * `perf-gate calibrate --interleaved`: a fixed number of A/A pairs (two instances of the
 * built-in router, or the same service twice), then the noise and the smallest change
 * compare can detect within the budget, per rule or per default metric.
 */
export async function calibrateInterleaved(
  a: {
    scenario: string;
    target?: string;
    pairs: number;
    budget: string;
    policy?: string;
    confidence: number;
    out?: string;
  },
  io: BenchIo,
): Promise<number> {
  if (!(Number.isInteger(a.pairs) && a.pairs >= 3))
    throw new ToolError('E_USAGE', '--pairs must be a whole number, at least 3');
  const budgetMs = parseDuration(a.budget, 'budget');
  if (a.out) await assertWritable(a.out);
  const file = await readScenarioFile(a.scenario);
  const target = a.target ?? file.target;
  if (!target)
    throw new ToolError('E_USAGE', 'give --target URL|builtin or "target" in the scenario');
  // Without a policy, calibration judges nothing: the default metrics are measured.
  const policy = a.policy ? await loadPolicy(a.policy) : undefined;
  const { record, exitCode } = await runCompare(
    {
      policy: policy ?? normalizePolicy({ version: '2', rules: {} }),
      policyPath: a.policy ?? '(none)',
      scenarioFile: file,
      baseline: { target },
      candidate: { target },
      budgetMs: Number.MAX_SAFE_INTEGER,
      confidence: a.confidence,
      fixedPairs: a.pairs,
      outputs: {},
    },
    { ...io, quiet: true },
  );
  if (exitCode === ExitCode.interrupted) return exitCode;
  const used = record.pairs.filter((p) => !p.baseline.invalid && !p.candidate.invalid);
  const pairSeconds = record.elapsed_s / Math.max(1, record.pairs.length);
  const rows = mdeTable(used, pairSeconds, budgetMs / 1000, a.confidence, policy);
  const warnings = mdeWarnings(rows);
  if (!io.quiet) {
    const table = [
      [
        'metric',
        'pairs',
        'noise/pair %',
        'A/A change %',
        `pairs in ${a.budget}`,
        'MDE %',
        'tolerance %',
      ],
      ...rows.map((r) => [
        r.rule ?? r.metric,
        String(r.pairs),
        String(r.noise_pct),
        String(r.aa_change_pct),
        String(r.budget_pairs),
        String(r.mde_pct),
        r.tolerance_pct === undefined ? '-' : String(r.tolerance_pct),
      ]),
    ];
    const w = table[0]!.map((_, c) => Math.max(...table.map((t) => t[c]!.length)));
    io.stdout.write(
      `${table.map((t) => t.map((x, c) => x.padEnd(w[c]!)).join('  ')).join('\n')}\n`,
    );
    io.stdout.write(
      `A/A over ${used.length} pairs (${pairSeconds.toFixed(1)} s each). MDE: the change compare tells from zero within the budget; a rule with tolerance X calls regressions above about X + MDE.\n`,
    );
    for (const w of warnings) io.stdout.write(`warning: ${w}\n`);
  }
  if (a.out)
    await writeFileAtomic(
      a.out,
      `${JSON.stringify({ interleaved: true, budget_s: budgetMs / 1000, pair_s: pairSeconds, confidence: a.confidence, metrics: rows, warnings, discarded: record.discarded }, null, 2)}\n`,
    );
  return ExitCode.ok;
}
