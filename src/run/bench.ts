import { assertWritable } from '../util/atomic-write.js';
import { collectEnvironment, collectGit } from '../env/environment.js';
import type { Scenario } from '../scenario/scenario.js';
import type { BenchIo, BenchOutcome, RunContext } from './context.js';
import { prepareGenerator, type PreparedGenerator } from './generator-phase.js';
import { describeRun, measure } from './measure-phase.js';
import { RunObserver } from './observe-phase.js';
import { writeRunOutputs } from './outputs.js';
import { rateProfile } from './plans.js';
import { assembleResult } from './result-phase.js';
import { prepareTarget, shareTarget } from './target-phase.js';

export type { BenchIo, BenchOutcome, RunContext } from './context.js';
export { shareOf } from './plans.js';

/**
 * One bench run end to end, as a pipeline of phases, each a module with one job and a
 * plain-data hand-off: the target (built-in process, local NATS, probes), the observer
 * (live metrics, signals), the generator (threads or a fleet, data check, consumer), the
 * runs, the result, the files. Whatever was started is stopped, in reverse, whatever happens.
 */
export async function runBench(
  s: Scenario,
  io: BenchIo,
  ctx: RunContext = { env: collectEnvironment(), git: collectGit() },
): Promise<BenchOutcome> {
  for (const path of [
    s.outputs.out,
    s.outputs.saveBaseline,
    s.outputs.hgrm,
    s.outputs.html,
    s.outputs.histLog,
  ])
    if (path) await assertWritable(path);
  const target = ctx.target ? shareTarget(ctx.target, s) : await prepareTarget(s);
  let observer: RunObserver | undefined;
  let generator: PreparedGenerator | undefined;
  try {
    const profile = rateProfile(s);
    observer = await RunObserver.start(s, io, ctx, profile);
    generator = await prepareGenerator(s, target, observer, io);
    const facts = await describeRun(s, target, generator, ctx, profile);
    const measured = await measure(s, target, generator, observer, facts, profile, io);
    const outcome = await assembleResult(s, target, measured);
    await writeRunOutputs(
      s,
      outcome,
      measured.runs.map((r) => r.snapshot),
      io,
    );
    return outcome;
  } finally {
    await observer?.close();
    await generator?.close();
    await target.stop();
  }
}
