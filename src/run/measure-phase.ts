import { randomBytes } from 'node:crypto';
import type { AgentOutcome } from '../agents/fleet-run.js';
import { runShards } from '../driver/threads.js';
import type { Environment } from '../env/environment.js';
import type { CommandRun } from '../fault/commands.js';
import { mergeSnapshots } from '../record/merge.js';
import { Progress } from '../report/console.js';
import type { BuildInput } from '../result/build.js';
import type { RateProfile } from '../schedule/profile.js';
import type { Scenario } from '../scenario/scenario.js';
import { wallClock } from '../timing/clock.js';
import { timerKind } from '../timing/timers.js';
import type { NatsConnConfig } from '../transports/nats-config.js';
import { redactUrl } from '../util/redact.js';
import { toolInfo } from '../util/tool-info.js';
import type { BenchIo, RunContext } from './context.js';
import { scheduleFault } from './fault-schedule.js';
import type { PreparedGenerator } from './generator-phase.js';
import type { RunObserver } from './observe-phase.js';
import { makePlans, meanOfferedRate } from './plans.js';
import { scenarioEcho } from './scenario-echo.js';
import type { PreparedTarget } from './target-phase.js';

/** What every run of an invocation shares in its result: tool, scenario, target, env. */
export type RunFacts = Omit<
  BuildInput,
  | 'startedAtMs'
  | 'endedAtMs'
  | 'measuredMs'
  | 'interrupted'
  | 'snapshot'
  | 'health'
  | 'targetSamples'
>;

export async function describeRun(
  s: Scenario,
  target: PreparedTarget,
  gen: PreparedGenerator,
  ctx: RunContext,
  profile: RateProfile | undefined,
): Promise<RunFacts> {
  const env: Environment = {
    ...(await ctx.env),
    ...(gen.natsConn ? await natsServerEnv(gen.natsConn) : {}),
  };
  return {
    tool: toolInfo('bench-router'),
    scenario: scenarioEcho(s),
    target: {
      url: redactUrl(target.url),
      kind: `${target.router ? 'builtin-' : ''}${s.target.transport}`,
      ...(target.router ? { pid: target.router.pid } : {}),
      ...(s.nats ? { subject: s.nats.subject, mode: s.nats.mode } : {}),
    },
    mode: gen.consume ? 'consume' : s.load.rate !== undefined || s.load.stages ? 'open' : 'closed',
    // With stages, the rate offered on average over the measured window.
    targetRps: profile ? meanOfferedRate(profile, s) : (s.load.rate ?? null),
    warmupMs: s.load.warmupMs,
    env,
    git: await ctx.git,
    threads: gen.shares,
    ...(gen.fleet ? {} : { timer: timerKind() }),
    maxSendLagMs: s.load.maxSendLagMs,
    ...(s.nats ? {} : { connections: s.http.connections }),
    maxInFlight: s.load.maxInFlight,
  };
}

/** Phase 4's output: each run's measurements, the fleet's outcomes, the fault commands. */
export interface Measured {
  runs: BuildInput[];
  outcomes: AgentOutcome[] | undefined;
  faultRuns: Promise<CommandRun>[];
  partial: boolean;
}

/**
 * Phase 4: the runs themselves. --repeat N runs the scenario N times against the same
 * target (one result, merged histograms, per-run values under `samples`); it stops early on
 * an interrupt or when agents were lost.
 */
export async function measure(
  s: Scenario,
  target: PreparedTarget,
  gen: PreparedGenerator,
  observer: RunObserver,
  facts: RunFacts,
  profile: RateProfile | undefined,
  io: BenchIo,
): Promise<Measured> {
  const runs: BuildInput[] = [];
  let outcomes: AgentOutcome[] | undefined;
  let faultRuns: Promise<CommandRun>[] = [];
  const partial = (): boolean => !!outcomes?.some((o) => o.state !== 'done');
  target.probes.forEach((p) => p.start());
  for (let k = 0; k < s.load.repeat && !observer.interrupted && !partial(); k++) {
    if (s.load.repeat > 1 && !io.quiet) io.stderr.write(`run ${k + 1} of ${s.load.repeat}\n`);
    const runId = randomBytes(4).toString('hex');
    const plans = makePlans(s, target.url, runId, gen.shares, gen.natsConn, profile, gen.consume);
    const fleetRun = gen.fleet?.run(plans, runId, {
      warmupMs: s.load.warmupMs,
      durationMs: s.load.durationMs,
      timeoutMs: s.workload.timeoutMs,
    });
    const shards = fleetRun ?? runShards(plans);
    observer.watch(shards);
    const startMs = await shards.started;
    observer.started(startMs);
    if (k === 0 && s.fault)
      faultRuns = scheduleFault(
        s,
        startMs + s.load.warmupMs,
        target.router?.pid ?? s.probes.pid,
        io,
      );
    const total = s.load.warmupMs + s.load.durationMs;
    const progress = new Progress(
      io.stderr,
      shards.live,
      startMs,
      s.load.warmupMs,
      total,
      io.quiet,
    );
    progress.start();
    const results = await shards.results.finally(() => progress.stop());
    if (fleetRun) outcomes = await fleetRun.outcomes;
    const measureStartMs = startMs + s.load.warmupMs;
    const interruptedAt = observer.interruptedAtMs;
    runs.push({
      ...facts,
      startedAtMs: startMs,
      endedAtMs: wallClock.now(),
      measuredMs:
        interruptedAt !== undefined
          ? Math.min(s.load.durationMs, Math.max(0, interruptedAt - measureStartMs))
          : s.load.durationMs,
      interrupted: interruptedAt !== undefined,
      snapshot: mergeSnapshots(results.map((r) => r.snapshot)),
      health: results.map((r) => r.health),
      targetSamples: [],
    });
  }
  await Promise.all(target.probes.map((p) => p.stop()));
  return { runs, outcomes, faultRuns, partial: partial() };
}

/** The NATS server's version and whether JetStream is on, from the connection's INFO. */
async function natsServerEnv(conn: NatsConnConfig): Promise<Partial<Environment>> {
  try {
    const { connectNats } = await import('../transports/nats-connect.js');
    const nc = await connectNats(conn);
    const info = nc.info;
    await nc.close();
    return info ? { nats_server: info.version, jetstream: !!info.jetstream } : {};
  } catch {
    return {}; // the shards' own connect reports an unreachable server with exit 2
  }
}
