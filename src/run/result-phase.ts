import { agentRows } from '../agents/breakdown.js';
import { ToolError } from '../errors.js';
import { judgeRun } from '../result/validity.js';
import { analyseRecovery } from '../fault/recovery.js';
import { buildRepeatedResult, buildResult } from '../result/build.js';
import { memoryTrend, summarizeTarget } from '../result/target-summary.js';
import type { Scenario } from '../scenario/scenario.js';
import type { BenchOutcome } from './context.js';
import type { Measured } from './measure-phase.js';
import type { PreparedTarget } from './target-phase.js';

/**
 * Phase 5: one result from the runs — merged and judged by the pure builder — with the
 * agents' breakdown, the fault analysis, the target's memory trend and every probe, and
 * the exit code it earns: interrupted 130; saturated generator or lost agents 3 (not a
 * valid measurement); else 0.
 */
export async function assembleResult(
  s: Scenario,
  target: PreparedTarget,
  m: Measured,
): Promise<BenchOutcome> {
  const { runs } = m;
  // Ctrl-C while agents were still being found: there is nothing to write.
  if (!runs.length)
    throw new ToolError(
      'E_INTERRUPTED',
      'interrupted before the run started: nothing was measured',
    );
  const probe = target.probes[0];
  const samples = probe?.samples ?? [];
  for (const r of runs) r.targetSamples = samples;
  const result = runs.length === 1 ? buildResult(runs[0]!) : buildRepeatedResult(runs);
  const last = runs[runs.length - 1]!;
  if (m.outcomes) {
    result.agents = agentRows(m.outcomes, last.snapshot.measureStartMs, last.measuredMs);
    if (m.partial) result.run.partial = true;
  }
  const timeline = runs[0]!.snapshot.timeline;
  if (s.fault && timeline) {
    const commands = await Promise.all(m.faultRuns);
    result.fault = {
      ...analyseRecovery(timeline, s.fault.atMs, s.fault.recoverAtMs, s.fault.factor),
      commands,
    };
  }
  const from = runs[0]!.snapshot.measureStartMs;
  const to = last.snapshot.measureStartMs + last.measuredMs;
  const trend = probe
    ? memoryTrend(probe.samples, from, to, s.probes.leakThresholdMbPerMin)
    : undefined;
  if (trend) result.memory_trend = trend;
  if (target.probes.length) {
    result.probes = target.probes.map((p) => ({
      kind: p.kind,
      source: p.source,
      samples: p.samples.length,
      ...summarizeTarget(p.samples, from, to),
      ...(p.samples.at(-1)?.extra ? { last: p.samples.at(-1)!.extra } : {}),
      ...(p.lastError && !p.samples.length ? { error: p.lastError } : {}),
    }));
  }
  return { result, exitCode: judgeRun(result).exitCode };
}
