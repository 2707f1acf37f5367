import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, isToolError, type ErrorCode } from '../errors.js';
import { generatorFinding, judgeRun } from '../result/validity.js';
import type { BenchResult } from '../result/result.js';
import { resultOnly, type Scenario } from '../scenario/scenario.js';
import { judgeStep, type StepSlo } from '../sweep/judge.js';
import { SweepController, type SweepConfig, type SweepVerdict } from '../sweep/controller.js';
import { fitUsl } from '../sweep/usl.js';
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { randomBytes } from 'node:crypto';
import { collectEnvironment, collectGit } from '../env/environment.js';
import type { LiveMetricsServer } from '../report/live-metrics.js';
import { runBench, type BenchIo, type RunContext } from './bench.js';
import { prepareTarget } from './target-phase.js';
import { capacityHtml } from '../report/html.js';
import type { SweepReport, SweepStep } from '../sweep/report.js';

/**
 * capacity-sweep's I/O: each step is a full bench run (own warm-up, own target process for
 * the built-in router) at the rate the controller asks for; the steps, the verdict and a
 * scalability fit go to JSON and Markdown.
 */
export async function runSweep(
  base: Scenario,
  slo: StepSlo,
  cfg: SweepConfig,
  out: { json: string; markdown?: string; html?: string },
  io: BenchIo,
): Promise<{ report: SweepReport; exitCode: number }> {
  for (const p of [out.json, out.markdown, out.html]) if (p) await assertWritable(p);
  // One environment probe, one live-metrics endpoint (a `step` label each) and one target
  // for all steps: a built-in router lives through the sweep, as a real service would.
  const target = await prepareTarget(base);
  const ctx: RunContext = { env: collectEnvironment(), git: collectGit(), target };
  let live: LiveMetricsServer | undefined;
  try {
    live = base.outputs.metricsListen
      ? await (
          await import('../report/live-metrics.js')
        ).startLiveMetrics(base.outputs.metricsListen, randomBytes(4).toString('hex'), base.name)
      : undefined;
    if (live && !io.quiet) io.stderr.write(`live metrics at ${live.url}\n`);
    return await sweepSteps(base, slo, cfg, out, io, ctx, live);
  } finally {
    if (live) {
      await new Promise((r) => setTimeout(r, base.outputs.metricsLingerMs));
      await live.close();
    }
    await target.stop();
  }
}

async function sweepSteps(
  base: Scenario,
  slo: StepSlo,
  cfg: SweepConfig,
  out: { json: string; markdown?: string; html?: string },
  io: BenchIo,
  ctx: RunContext,
  live: LiveMetricsServer | undefined,
): Promise<{ report: SweepReport; exitCode: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'capacity-sweep-'));
  const ctl = new SweepController(cfg);
  const steps: SweepStep[] = [];
  let env: BenchResult['env'] | null = null;
  const t0 = Date.now();
  for (let n = ctl.next(); n.kind === 'step'; n = ctl.next()) {
    const rate = Math.round(n.rate);
    const started = Date.now();
    const scenario: Scenario = {
      ...base,
      load: { ...base.load, rate, concurrency: undefined, repeat: 1 },
      // The sweep writes its own reports and serves one live endpoint for every step
      // (ctx.live): a step writes only its result.
      outputs: resultOnly(join(dir, `step-${steps.length + 1}.json`)),
    };
    let ran: Awaited<ReturnType<typeof runBench>>;
    try {
      ran = await runBench(
        scenario,
        { ...io, quiet: true },
        live ? { ...ctx, live: { server: live, labels: { step: String(steps.length + 1) } } } : ctx,
      );
    } catch (e) {
      // Agents gone mid-sweep: keep the steps measured so far instead of losing the sweep.
      if (!steps.length || !isToolError(e) || !AGENTS_GONE.has(e.code)) throw e;
      ctl.abandon(
        `generator agents unavailable (${e.message}): the target sustains at least the best passing rate`,
      );
      break;
    }
    const { result, exitCode } = ran;
    if (exitCode === ExitCode.interrupted) return finish(true);
    env = result.env;
    const judged = judgeStep(result, slo);
    const m = result.metrics;
    // Lost agents offered less than the step's rate: a generator failure, like saturation,
    // never the target's breaking point.
    const generator = generatorFinding(judgeRun(result));
    const genFailed = generator !== undefined;
    const genReasons = generator?.reasons ?? [];
    const step: SweepStep = {
      offered_rps: rate,
      achieved_rps: m.rps,
      p50_ms: m.latency_p50_ms,
      mean_ms: m.latency_mean_ms,
      concurrency: Math.round(((m.rps * m.latency_mean_ms) / 1000) * 100) / 100,
      p90_ms: m.latency_p90_ms,
      p99_ms: m.latency_p99_ms,
      p999_ms: m.latency_p999_ms,
      max_ms: m.latency_max_ms,
      error_rate: m.error_rate,
      errors_by_class: result.errors_by_class,
      backpressure_total: m.backpressure_total,
      in_flight_max: Math.max(0, ...result.intervals.map((i) => i.in_flight_max)),
      cpu_pct: m.cpu_pct ?? null,
      mem_mb: m.mem_mb ?? null,
      generator_saturated: genFailed,
      pass: judged.pass && !genFailed,
      reasons: genFailed ? genReasons : judged.reasons,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    steps.push(step);
    ctl.record({
      offered: rate,
      achieved: m.rps,
      pass: step.pass,
      reasons: step.reasons,
      generatorSaturated: step.generator_saturated,
    });
    if (!io.quiet) {
      io.stderr.write(
        `step ${steps.length}: ${rate} req/s offered, ${m.rps} achieved, p99 ${m.latency_p99_ms} ms, errors ${(m.error_rate * 100).toFixed(2)}% -> ${step.pass ? 'PASS' : `FAIL (${step.reasons.join('; ')})`}\n`,
      );
    }
  }
  return finish(false);

  async function finish(interrupted: boolean): Promise<{ report: SweepReport; exitCode: number }> {
    const next = ctl.next();
    const verdict: SweepVerdict =
      next.kind === 'done'
        ? next.verdict
        : {
            maxSustainableRps: null,
            atLeast: true,
            breakingPoint: null,
            stopReason: 'interrupted',
            generatorLimited: false,
          };
    const report: SweepReport = {
      schema: 'capacity-sweep/v1',
      target: String(base.target.url),
      slo: {
        p99_ms: slo.p99Ms,
        max_error_rate: slo.maxErrorRate,
        min_achieved_ratio: slo.minAchievedRatio,
      },
      max_sustainable_rps: verdict.maxSustainableRps,
      at_least: verdict.atLeast,
      breaking_point: verdict.breakingPoint,
      stop_reason: interrupted ? 'interrupted' : verdict.stopReason,
      steps,
      steps_count: steps.length,
      total_seconds: Math.round((Date.now() - t0) / 1000),
      model:
        fitUsl(
          steps
            .filter((s) => !s.generator_saturated && s.error_rate < 0.5)
            .map((s) => ({ concurrency: s.concurrency, rps: s.achieved_rps })),
        ) ?? null,
      env,
    };
    await writeFileAtomic(out.json, `${JSON.stringify(report, null, 2)}\n`);
    if (out.markdown) await writeFileAtomic(out.markdown, sweepMarkdown(report));
    if (out.html) await writeFileAtomic(out.html, capacityHtml(report));
    if (!io.quiet)
      io.stdout.write(
        `${sweepSummary(report)}\nwritten to ${out.json}${out.markdown ? ` and ${out.markdown}` : ''}\n`,
      );
    const exitCode = interrupted
      ? ExitCode.interrupted
      : verdict.generatorLimited
        ? ExitCode.invalidRun
        : ExitCode.ok;
    return { report, exitCode };
  }
}

/** Errors that mean the generator agents went away (the target may be fine). */
const AGENTS_GONE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'E_AGENT_UNAUTHENTICATED',
  'E_AGENTS_MISSING',
  'E_AGENT_REFUSED',
  'E_AGENTS_LOST',
]);

export function sweepSummary(r: SweepReport): string {
  const max =
    r.max_sustainable_rps === null
      ? 'none (failed at the lowest rate)'
      : `${r.at_least ? 'at least ' : ''}${r.max_sustainable_rps} req/s`;
  const lines = [
    `max sustainable rate: ${max}`,
    `breaking point: ${r.breaking_point ? `${r.breaking_point.rps} req/s offered (${r.breaking_point.reason})` : '-'}`,
    `stopped: ${r.stop_reason}; ${r.steps_count} steps in ${r.total_seconds}s`,
  ];
  const why = generatorWhy(r);
  if (why) lines.push(`generator: ${why}`);
  if (r.model)
    lines.push(
      `USL fit: predicted peak ${r.model.predicted_peak_rps ?? '-'} req/s at concurrency ${r.model.peak_concurrency ?? '-'} (R^2 ${r.model.r2}, ${r.model.points} points)`,
    );
  return lines.join('\n');
}

/** What the generator said at the step that ended the sweep, when the generator ended it. */
function generatorWhy(r: SweepReport): string | undefined {
  const last = r.steps.at(-1);
  return last?.generator_saturated ? last.reasons[0] : undefined;
}

/** One line for a sweep the generator ended (exit 3), for --quiet, which prints nothing else. */
export function sweepInvalidLine(r: SweepReport): string {
  const why = generatorWhy(r);
  return `not a valid sweep (exit 3): ${r.stop_reason}${why ? ` (${why})` : ''}`;
}

export function sweepMarkdown(r: SweepReport): string {
  const best = r.steps.filter((s) => s.pass).sort((a, b) => b.offered_rps - a.offered_rps)[0];
  const rows = r.steps
    .slice()
    .sort((a, b) => a.offered_rps - b.offered_rps)
    .map(
      (s) =>
        `| ${s.offered_rps} | ${s.achieved_rps} | ${s.p50_ms} | ${s.p99_ms} | ${s.p999_ms} | ${(s.error_rate * 100).toFixed(2)}% | ${s.in_flight_max} | ${s.cpu_pct ?? '-'} | ${s.mem_mb ?? '-'} | ${s.pass ? 'pass' : `FAIL: ${s.reasons.join('; ').replace(/\|/g, '\\|')}`} |`,
    );
  return [
    '# Capacity report',
    '',
    `Target \`${r.target}\`; SLO: p99 <= ${r.slo.p99_ms} ms, error rate <= ${(r.slo.max_error_rate * 100).toFixed(2)}%, achieved >= ${Math.round(r.slo.min_achieved_ratio * 100)}% of offered, no queue growth.`,
    '',
    `- **Max rate at SLO:** ${r.max_sustainable_rps === null ? 'none' : `${r.at_least ? 'at least ' : ''}${r.max_sustainable_rps} req/s`}`,
    `- **Memory under sustained load:** ${best?.mem_mb ?? '-'} MB at ${best?.offered_rps ?? '-'} req/s`,
    `- **CPU at max load:** ${best?.cpu_pct ?? '-'}% of one core`,
    `- **Breaking point:** ${r.breaking_point ? `${r.breaking_point.rps} req/s offered, ${r.breaking_point.achieved} achieved — ${r.breaking_point.reason}` : 'not reached'}`,
    `- **Search:** ${r.steps_count} steps, ${r.total_seconds} s (${r.stop_reason})`,
    ...(r.model
      ? [
          `- **Scalability (USL):** sigma ${r.model.sigma}, kappa ${r.model.kappa}, predicted peak ${r.model.predicted_peak_rps ?? '-'} req/s at concurrency ${r.model.peak_concurrency ?? '-'}, R² ${r.model.r2}`,
        ]
      : []),
    '',
    '| offered req/s | achieved | p50 ms | p99 ms | p99.9 ms | errors | in flight max | target cpu % | target mem MB | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
