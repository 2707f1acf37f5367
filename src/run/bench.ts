import { randomBytes } from 'node:crypto';
import { ExitCode, ToolError } from '../errors.js';
import { collectEnvironment, collectGit } from '../env/environment.js';
import { runShards } from '../driver/threads.js';
import type { ShardPlan } from '../driver/shard.js';
import { TargetProbe, promReader, varzReader } from '../probes/proc-probe.js';
import { memoryTrend, summarizeTarget } from '../result/target-summary.js';
import { mergeSnapshots } from '../record/merge.js';
import { decode, toHgrm } from '../record/histogram.js';
import { buildRepeatedResult, buildResult, type BuildInput } from '../result/build.js';
import type { BenchResult } from '../result/result.js';
import { Progress, summaryTable } from '../report/console.js';
import type { Scenario } from '../scenario/scenario.js';
import { DECIDE_PATH } from '../targets/builtin-router/http-server.js';
import { spawnRouter, type RouterProcess } from '../targets/builtin-router/spawn.js';
import type { TransportConfig } from '../transports/create.js';
import { natsConnFrom, type NatsConnConfig } from '../transports/nats-config.js';
import { startNatsServer, type RunningNatsServer } from '../nats-server/server.js';
import type { Environment, GitInfo } from '../env/environment.js';
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { redactHeaders, redactPath, redactUrl } from '../util/redact.js';
import { basename } from 'node:path';
import { checkDataFile } from '../workload/rows.js';
import type { ConsumeTarget } from '../transports/nats-consume.js';
import { dataFieldsOf } from '../scenario/resolve.js';
import { toolInfo } from '../util/tool-info.js';
import { wallClock } from '../timing/clock.js';
import { profileFromStages, RateProfile } from '../schedule/profile.js';
import { analyseRecovery } from '../fault/recovery.js';
import { runFaultCommand, type CommandRun } from '../fault/commands.js';
import type { Fleet, AgentOutcome } from '../agents/fleet.js';
import type { LocalFleet } from '../agents/local-fleet.js';
import type { LiveStats } from '../driver/shard.js';
import type { LiveMetricsServer } from '../report/live-metrics.js';
import { agentRows } from '../agents/breakdown.js';

/**
 * One bench run end to end: start the built-in target if asked, connect, run the shards at
 * a common start, probe the target, merge, judge the generator, write the result. The only
 * module that touches files, processes and signals for a run; the pieces it calls are pure
 * or single-purpose.
 */
export interface BenchIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  quiet: boolean;
}

export interface BenchOutcome {
  result: BenchResult;
  exitCode: number;
}

/** What a caller running many short runs (perf-gate compare) collects once, not per run. */
export interface RunContext {
  env: Promise<Environment>;
  git: Promise<GitInfo>;
  /** A live-metrics endpoint the caller keeps across runs (capacity-sweep's steps). */
  live?: { server: LiveMetricsServer; labels: Record<string, string> };
}

export async function runBench(
  s: Scenario,
  io: BenchIo,
  ctx: RunContext = { env: collectEnvironment(), git: collectGit() },
): Promise<BenchOutcome> {
  for (const path of [s.out, s.saveBaseline, s.hgrm, s.html, s.histLog])
    if (path) await assertWritable(path);
  const envP = ctx.env;
  const gitP = ctx.git;
  let router: RouterProcess | undefined;
  let url = s.target;
  let localNats: RunningNatsServer | undefined;
  if (s.builtin && s.nats) {
    // The router over NATS needs a server: the one given, or a local one for this run.
    if (!s.nats.url) localNats = await startNatsServer();
    url = s.nats.url ?? localNats!.url;
    router = await spawnRouter(s.builtin, { url });
  } else if (s.builtin) {
    router = await spawnRouter(s.builtin);
    url = `${router.httpUrl}${DECIDE_PATH}`;
  }
  // The first probe is the target's: its samples give mem_mb, cpu_pct and the intervals.
  const probes: TargetProbe[] = [];
  if (router) probes.push(TargetProbe.pid(router.pid));
  if (s.probes.pid !== undefined) probes.push(TargetProbe.pid(s.probes.pid));
  if (s.probes.prom)
    probes.push(
      new TargetProbe(
        'prom',
        redactUrl(s.probes.prom.url),
        promReader(s.probes.prom.url, s.probes.prom.mem, s.probes.prom.cpu),
      ),
    );
  if (s.probes.natsVarz)
    probes.push(
      new TargetProbe('nats-varz', redactUrl(s.probes.natsVarz), varzReader(s.probes.natsVarz)),
    );
  if (localNats)
    probes.push(
      new TargetProbe(
        'nats-varz',
        `${localNats.monitorUrl}/varz`,
        varzReader(`${localNats.monitorUrl}/varz`),
      ),
    );
  const probe = probes[0];
  // Live metrics: one endpoint for the whole invocation (every --repeat run), one run label.
  const runLabel = randomBytes(4).toString('hex');
  let live: LiveMetricsServer | undefined;
  let liveShards: { live(): LiveStats } | undefined;
  let liveStartMs: number | undefined;
  const ownLive = !ctx.live && s.metricsListen !== undefined;
  if (ownLive)
    live = await (
      await import('../report/live-metrics.js')
    ).startLiveMetrics(s.metricsListen!, runLabel, s.name);
  else live = ctx.live?.server;
  // Stages as one rate profile: the shards' schedules, the mean offered rate, the live target.
  const profile = s.stages
    ? new RateProfile(profileFromStages(s.stages.startRate, s.warmupMs, s.stages.stages))
    : undefined;
  if (live) {
    live.setSource({
      labels: ctx.live?.labels ?? {},
      stats: () => liveShards?.live(),
      targetRate: () =>
        profile && liveStartMs !== undefined
          ? profile.rateAt(wallClock.now() - liveStartMs)
          : s.rate,
    });
    if (ownLive && !io.quiet) io.stderr.write(`live metrics at ${live.url} (run="${runLabel}")\n`);
  }
  let fleet: Fleet | undefined;
  let localFleet: LocalFleet | undefined;
  let consumer: { target: ConsumeTarget; cleanup(): Promise<void> } | undefined;
  let interruptedAtMs: number | undefined;
  let stopShards: (() => void) | undefined;
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interruptedAtMs !== undefined) process.exit(ExitCode.interrupted); // second Ctrl-C
    interruptedAtMs = wallClock.now();
    interrupt.abort();
    io.stderr.write('\ninterrupted: stopping, writing a partial result (Ctrl-C again to abort)\n');
    stopShards?.();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    if (s.agents) {
      // Agents, reports and NATS clients load only when a run uses them (start-up CPU).
      const { Fleet } = await import('../agents/fleet.js');
      if (s.agents.local)
        localFleet = await (
          await import('../agents/local-fleet.js')
        ).startLocalFleet(s.agents.count as number);
      fleet = await Fleet.connect({
        bus: localFleet?.bus ?? s.agents.bus!,
        count: s.agents.count,
        discoverMs: s.agents.discoverMs,
        // A router or nats-server started here listens on loopback only.
        sameHostOnly: router !== undefined || localNats !== undefined,
        log: (line) => io.stderr.write(`${line}\n`),
        signal: interrupt.signal,
      });
      if (!io.quiet)
        io.stderr.write(`agents: ${fleet.agents.map((a) => `${a.name} (${a.host})`).join(', ')}\n`);
    }
    // Every generator thread, on every agent: disjoint shares of one schedule.
    const shares = (fleet?.agents.length ?? 1) * s.threads;
    // Every row of the data file checked before the run (streamed): a missing field is a
    // one-line error naming the row, not a failure half-way.
    if (s.data) await checkDataFile(s.data.file, dataFieldsOf(s), shares);
    const natsConn = s.nats ? natsConnConfig(s, url) : undefined;
    if (s.nats?.mode === 'consume')
      consumer = await (
        await import('./consume-setup.js')
      ).prepareConsumer(s.nats, natsConn!, runLabel);
    const env: Environment = {
      ...(await envP),
      ...(natsConn ? await natsServerEnv(natsConn) : {}),
    };
    const git = await gitP;
    const common = {
      tool: toolInfo('bench-router'),
      scenario: scenarioEcho(s),
      target: {
        url: redactUrl(url),
        kind: `${router ? 'builtin-' : ''}${s.transport}`,
        ...(router ? { pid: router.pid } : {}),
        ...(s.nats ? { subject: s.nats.subject, mode: s.nats.mode } : {}),
      },
      mode: consumer
        ? ('consume' as const)
        : s.rate !== undefined || s.stages
          ? ('open' as const)
          : ('closed' as const),
      // With stages, the rate offered on average over the measured window.
      targetRps: profile ? meanOfferedRate(profile, s) : (s.rate ?? null),
      warmupMs: s.warmupMs,
      env,
      git,
      threads: shares,
      maxSendLagMs: s.maxSendLagMs,
      ...(s.nats ? {} : { connections: s.connections }),
      maxInFlight: s.maxInFlight,
    };
    // --repeat N: the same scenario N times against the same target, one result with the
    // merged histograms and the per-run values under `samples` for noise-aware gating.
    const runs: BuildInput[] = [];
    let outcomes: AgentOutcome[] | undefined;
    let faultRuns: Promise<CommandRun>[] = [];
    probes.forEach((p) => p.start());
    const partial = (): boolean => !!outcomes?.some((o) => o.state !== 'done');
    for (let k = 0; k < s.repeat && interruptedAtMs === undefined && !partial(); k++) {
      if (s.repeat > 1 && !io.quiet) io.stderr.write(`run ${k + 1} of ${s.repeat}\n`);
      const runId = randomBytes(4).toString('hex');
      const plans = makePlans(s, url, runId, shares, natsConn, profile, consumer?.target);
      const fleetRun = fleet?.run(plans, runId, s);
      const shards = fleetRun ?? runShards(plans);
      stopShards = () => shards.stop();
      if (interruptedAtMs !== undefined) shards.stop();
      const startMs = await shards.started;
      liveShards = shards;
      liveStartMs = startMs;
      if (k === 0 && s.fault)
        faultRuns = scheduleFault(s, startMs + s.warmupMs, router?.pid ?? s.probes.pid, io);
      const total = s.warmupMs + s.durationMs;
      const progress = new Progress(io.stderr, shards.live, startMs, s.warmupMs, total, io.quiet);
      progress.start();
      const results = await shards.results.finally(() => progress.stop());
      if (fleetRun) outcomes = await fleetRun.outcomes;
      const measureStartMs = startMs + s.warmupMs;
      const interrupted = interruptedAtMs !== undefined;
      runs.push({
        ...common,
        startedAtMs: startMs,
        endedAtMs: wallClock.now(),
        measuredMs: interrupted
          ? Math.min(s.durationMs, Math.max(0, interruptedAtMs! - measureStartMs))
          : s.durationMs,
        interrupted,
        snapshot: mergeSnapshots(results.map((r) => r.snapshot)),
        health: results.map((r) => r.health),
        targetSamples: [],
      });
    }
    await Promise.all(probes.map((p) => p.stop()));
    // Ctrl-C while agents were still being found: there is nothing to write.
    if (!runs.length)
      throw new ToolError(
        'E_INTERRUPTED',
        'interrupted before the run started: nothing was measured',
        ExitCode.interrupted,
      );
    const samples = probe?.samples ?? [];
    for (const r of runs) r.targetSamples = samples;
    const result = runs.length === 1 ? buildResult(runs[0]!) : buildRepeatedResult(runs);
    if (outcomes) {
      const last = runs[runs.length - 1]!;
      result.agents = agentRows(outcomes, last.snapshot.measureStartMs, last.measuredMs);
      if (partial()) result.run.partial = true;
    }
    const timeline = runs[0]!.snapshot.timeline;
    if (s.fault && timeline) {
      const commands = await Promise.all(faultRuns);
      result.fault = {
        ...analyseRecovery(timeline, s.fault.atMs, s.fault.recoverAtMs, s.fault.factor),
        commands,
      };
    }
    const from = runs[0]!.snapshot.measureStartMs;
    const to = runs[runs.length - 1]!.snapshot.measureStartMs + runs[runs.length - 1]!.measuredMs;
    const trend = probe ? memoryTrend(probe.samples, from, to, s.leakThresholdMbPerMin) : undefined;
    if (trend) result.memory_trend = trend;
    if (probes.length) {
      result.probes = probes.map((p) => ({
        kind: p.kind,
        source: p.source,
        samples: p.samples.length,
        ...summarizeTarget(p.samples, from, to),
        ...(p.samples.at(-1)?.extra ? { last: p.samples.at(-1)!.extra } : {}),
        ...(p.lastError && !p.samples.length ? { error: p.lastError } : {}),
      }));
    }
    // A partial fleet run did not offer the load asked for: not a valid measurement.
    const exitCode = result.run.interrupted
      ? ExitCode.interrupted
      : result.generator.saturated || result.run.partial
        ? ExitCode.invalidRun
        : ExitCode.ok;
    await writeOutputs(s, result, exitCode, io);
    if (s.histLog) {
      const { intervalLog } = await import('../report/hist-log.js');
      await writeFileAtomic(s.histLog, intervalLog(runs[0]!.snapshot));
    }
    if (s.html) {
      const { runHtml } = await import('../report/html.js');
      // Per-second histograms for the heat map (one run; --repeat shows percentiles only).
      const perSecond: (string | undefined)[] = [];
      if (runs.length === 1)
        for (const iv of runs[0]!.snapshot.intervals) perSecond[iv.t] = iv.latency;
      await writeFileAtomic(s.html, runHtml(result, Array.from(perSecond)));
      if (!io.quiet) io.stdout.write(`HTML report written to ${s.html}\n`);
    }
    return { result, exitCode };
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    if (live && ownLive) {
      // The final values stay up for the scrapes after the run, unless interrupted.
      if (interruptedAtMs === undefined) await new Promise((r) => setTimeout(r, s.metricsLingerMs));
      await live.close();
    }
    await consumer?.cleanup();
    await fleet?.close();
    await localFleet?.stop();
    await router?.stop();
    await localNats?.stop();
  }
}

function makePlans(
  s: Scenario,
  url: string,
  runId: string,
  shares: number,
  natsConn: NatsConnConfig | undefined,
  profile: RateProfile | undefined,
  consume: ConsumeTarget | undefined,
): ShardPlan[] {
  const common = {
    headers: s.headers,
    body: s.body,
    tenants: s.tenants,
    timeoutMs: s.timeoutMs,
    replyCheck: { enabled: s.replyCheck, overloadCodes: s.overloadCodes },
    runId,
    shard: 0,
  };
  const kinds = s.requests;
  const transport: TransportConfig = s.nats
    ? {
        kind: 'nats',
        ...common,
        ...natsConn!,
        mode: s.nats.mode,
        subject: s.nats.subject,
        subjects: s.nats.subjects,
        payloadSize: s.nats.payloadSize,
        traceparent: s.nats.traceparent,
        e2e: s.nats.e2e,
        ...(kinds
          ? { kinds: kinds.map((k) => ({ subject: k.subject, headers: k.headers, body: k.body })) }
          : {}),
      }
    : {
        kind: 'http',
        ...common,
        engine: s.httpEngine,
        url,
        method: s.method,
        connections: Math.max(1, Math.ceil(s.connections / shares)),
        tls: s.tls,
        ...(kinds
          ? {
              kinds: kinds.map((k) => ({
                method: k.method,
                // A kind without a path goes where the target URL points.
                path: k.path || pathOf(url),
                headers: k.headers,
                body: k.body,
              })),
            }
          : {}),
      };
  return Array.from({ length: shares }, (_, index) => ({
    transport: { ...transport, shard: index },
    rate: s.rate,
    ...(profile ? { profile: [...profile.segments] } : {}),
    arrival: s.arrival,
    seed: s.seed,
    share: { index, count: shares },
    concurrency: s.concurrency !== undefined ? shareOf(s.concurrency, index, shares) : undefined,
    warmupMs: s.warmupMs,
    durationMs: s.durationMs,
    maxInFlight: shareOf(s.maxInFlight, index, shares),
    timeoutMs: s.timeoutMs,
    timeline: s.fault !== undefined,
    ...(kinds
      ? { mix: { names: kinds.map((k) => k.name), weights: kinds.map((k) => k.weight) } }
      : {}),
    ...(s.data ? { data: s.data } : {}),
    ...(consume ? { consume } : {}),
  }));
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** The rate offered on average over the measured window (warm-up excluded). */
function meanOfferedRate(p: RateProfile, s: Scenario): number {
  const offered = p.cumulative(s.warmupMs + s.durationMs) - p.cumulative(s.warmupMs);
  return Math.round((offered / (s.durationMs / 1000)) * 1000) / 1000;
}

/** Splits an integer budget over n shares, differing by at most one, none below one. */
export function shareOf(total: number, index: number, n: number): number {
  return Math.max(1, Math.floor(total / n) + (index < total % n ? 1 : 0));
}

async function writeOutputs(
  s: Scenario,
  r: BenchResult,
  exitCode: number,
  io: BenchIo,
): Promise<void> {
  r.run.exit_code = exitCode;
  const json = `${JSON.stringify(r, null, 2)}\n`;
  await writeFileAtomic(s.out, json);
  if (!io.quiet) io.stdout.write(`\n${summaryTable(r)}\n\nresult written to ${s.out}\n`);
  if (s.hgrm) {
    await writeFileAtomic(s.hgrm, toHgrm(decode(r.histograms.latency)));
    if (!io.quiet) io.stdout.write(`percentile spectrum written to ${s.hgrm}\n`);
  }
  if (s.saveBaseline) {
    if (exitCode !== ExitCode.ok) {
      const why = r.run.interrupted
        ? 'the run was interrupted'
        : r.run.partial
          ? 'agents were lost (partial result)'
          : 'the generator saturated';
      io.stderr.write(`baseline NOT saved to ${s.saveBaseline}: ${why}\n`);
    } else {
      await writeFileAtomic(s.saveBaseline, json);
      if (!io.quiet) io.stdout.write(`baseline saved to ${s.saveBaseline}\n`);
    }
  }
}

/** The scenario as run, for the result: credentials redacted, the body template left out. */
function scenarioEcho(s: Scenario): Record<string, unknown> {
  return {
    name: s.name,
    target: redactUrl(s.target),
    rate: s.rate ?? null,
    ...(s.stages
      ? {
          stages: s.stages.stages.map((st) => ({ duration_ms: st.durationMs, target: st.target })),
          start_rate: s.stages.startRate,
        }
      : {}),
    concurrency: s.concurrency ?? null,
    arrival: s.arrival,
    duration_ms: s.durationMs,
    warmup_ms: s.warmupMs,
    connections: s.connections,
    http_engine: s.httpEngine,
    max_in_flight: s.maxInFlight,
    timeout_ms: s.timeoutMs,
    method: s.method,
    headers: redactHeaders(s.headers),
    has_body: s.body !== undefined,
    ...(s.requests
      ? {
          requests: s.requests.map((k) => ({
            name: k.name,
            weight: k.weight,
            ...(s.nats
              ? { subject: k.subject }
              : { method: k.method, path: k.path ? redactPath(k.path) : null }),
          })),
        }
      : {}),
    // The file's name only: its path may say more about the machine than the run needs.
    ...(s.data
      ? { data: { file: basename(s.data.file), order: s.data.order, on_end: s.data.onEnd } }
      : {}),
    tenants: s.tenants.length,
    threads: s.threads,
    reply_check: s.replyCheck,
    overload_codes: s.overloadCodes,
    seed: s.seed,
    repeat: s.repeat,
    transport: s.transport,
    ...(s.nats
      ? {
          mode: s.nats.mode,
          subject: s.nats.subject,
          ...(s.nats.subjects ? { subjects: s.nats.subjects } : {}),
          ...(s.nats.payloadSize !== undefined ? { payload_size: s.nats.payloadSize } : {}),
          ...(s.nats.mode === 'consume'
            ? {
                stream: s.nats.stream ?? null,
                consumer: s.nats.consumer ?? null,
                deliver: s.nats.deliver,
              }
            : {}),
          traceparent: s.nats.traceparent,
          e2e: s.nats.e2e,
          // Which kind of credentials, never the credentials.
          auth: s.nats.credsFile
            ? 'creds'
            : s.nats.auth.nkeySeed
              ? 'nkey'
              : s.nats.auth.token
                ? 'token'
                : s.nats.auth.user
                  ? 'user'
                  : 'none',
        }
      : {}),
    ...(s.builtin ? { builtin: s.builtin } : {}),
    ...(s.agents
      ? {
          agents: {
            count: s.agents.count,
            local: s.agents.local,
            ...(s.agents.bus ? { nats: s.agents.bus.servers.map(redactUrl).join(',') } : {}),
          },
        }
      : {}),
  };
}

/** One NATS connection config for the shards and the server probe: servers from the URL
 * list, URL credentials combined with explicit ones (explicit ones win), TLS files. */
function natsConnConfig(s: Scenario, url: string): NatsConnConfig {
  return {
    ...natsConnFrom(url, { ...s.nats!.auth, credsFile: s.nats!.credsFile }),
    ...(s.tls.ca || s.tls.cert ? { tls: { ca: s.tls.ca, cert: s.tls.cert, key: s.tls.key } } : {}),
  };
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

/** Fault and recovery commands at their times after the end of warm-up (first run only). */
function scheduleFault(
  s: Scenario,
  measureStartMs: number,
  pid: number | undefined,
  io: BenchIo,
): Promise<CommandRun>[] {
  const f = s.fault!;
  const at = (ms: number, cmd: string): Promise<CommandRun> =>
    new Promise((resolve) => {
      setTimeout(
        () => {
          if (!io.quiet) io.stderr.write(`\nfault: running "${cmd}" at ${ms / 1000}s\n`);
          void runFaultCommand(cmd, pid, ms / 1000).then(resolve);
        },
        Math.max(0, measureStartMs + ms - wallClock.now()),
      );
    });
  const runs = [at(f.atMs, f.cmd)];
  if (f.recoverCmd !== undefined && f.recoverAtMs !== undefined)
    runs.push(at(f.recoverAtMs, f.recoverCmd));
  return runs;
}
