import { ExitCode } from '../errors.js';
import { judgeRun } from '../result/validity.js';
import { decode, toHgrm } from '../record/histogram.js';
import type { RecorderSnapshot } from '../record/recorder.js';
import type { BenchResult } from '../result/result.js';
import { summaryTable } from '../report/console.js';
import type { Scenario } from '../scenario/scenario.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { BenchIo, BenchOutcome } from './context.js';

/**
 * The run's files: the result JSON, the summary on the console, the .hgrm spectrum, the
 * baseline (only for a valid run), the HdrHistogram log and the HTML report. Every write is
 * atomic (temp file + rename).
 */
export async function writeRunOutputs(
  s: Scenario,
  { result, exitCode }: BenchOutcome,
  snapshots: readonly RecorderSnapshot[],
  io: BenchIo,
): Promise<void> {
  await writeOutputs(s, result, exitCode, io);
  if (s.outputs.histLog) {
    const { intervalLog } = await import('../report/hist-log.js');
    await writeFileAtomic(s.outputs.histLog, intervalLog(snapshots[0]!));
  }
  if (s.outputs.html) {
    const { runHtml } = await import('../report/html.js');
    // Per-second histograms for the heat map (one run; --repeat shows percentiles only).
    const perSecond: (string | undefined)[] = [];
    if (snapshots.length === 1)
      for (const iv of snapshots[0]!.intervals) perSecond[iv.t] = iv.latency;
    await writeFileAtomic(s.outputs.html, runHtml(result, Array.from(perSecond)));
    if (!io.quiet) io.stdout.write(`HTML report written to ${s.outputs.html}\n`);
  }
}

async function writeOutputs(
  s: Scenario,
  r: BenchResult,
  exitCode: number,
  io: BenchIo,
): Promise<void> {
  r.run.exit_code = exitCode;
  const json = `${JSON.stringify(r, null, 2)}\n`;
  await writeFileAtomic(s.outputs.out, json);
  if (!io.quiet) io.stdout.write(`\n${summaryTable(r)}\n\nresult written to ${s.outputs.out}\n`);
  if (s.outputs.hgrm) {
    await writeFileAtomic(s.outputs.hgrm, toHgrm(decode(r.histograms.latency)));
    if (!io.quiet) io.stdout.write(`percentile spectrum written to ${s.outputs.hgrm}\n`);
  }
  if (s.outputs.saveBaseline) {
    if (exitCode !== ExitCode.ok) {
      const why = judgeRun(r).findings[0]?.summary ?? `the run exited ${exitCode}`;
      io.stderr.write(`baseline NOT saved to ${s.outputs.saveBaseline}: ${why}\n`);
    } else {
      await writeFileAtomic(s.outputs.saveBaseline, json);
      if (!io.quiet) io.stdout.write(`baseline saved to ${s.outputs.saveBaseline}\n`);
    }
  }
}
