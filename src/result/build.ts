import type { Environment, GitInfo } from '../env/environment.js';
import { maxCpuWait, type GeneratorHealth, type ProbeSample } from '../record/samples.js';
import { summarizeTarget } from './target-summary.js';
import { decode, summarize } from '../record/histogram.js';
import type { TimerKind } from '../timing/timers.js';
import type { RecorderSnapshot } from '../record/recorder.js';
import { mergeSnapshots } from '../record/merge.js';
import { errorRate, kindMetrics, latencyMetrics } from './by-kind.js';
import {
  RESULT_SCHEMA,
  type BenchResult,
  type GeneratorLimit,
  type GeneratorSection,
  type IntervalRow,
  type Metrics,
} from './result.js';

/**
 * Pure assembly of the result JSON from what the run recorded. Every derived number is
 * computed here, in one place, from the merged snapshot.
 */
export interface BuildInput {
  tool: { name: string; version: string };
  scenario: Record<string, unknown>;
  target: BenchResult['target'];
  mode: 'open' | 'closed' | 'consume';
  targetRps: number | null;
  startedAtMs: number;
  endedAtMs: number;
  warmupMs: number;
  /** Measured length: the scenario's duration, or less when interrupted. */
  measuredMs: number;
  interrupted: boolean;
  env: Environment;
  git: GitInfo;
  snapshot: RecorderSnapshot;
  health: GeneratorHealth[];
  threads: number;
  /** What kept the send times, when this process generated the load. */
  timer?: TimerKind;
  maxSendLagMs: number;
  /** The client's bounds, named when they held the schedule back. */
  connections?: number;
  maxInFlight: number;
  targetSamples: readonly ProbeSample[];
}

/** A generator whose event loop is blocked this long cannot keep any schedule. */
export const MAX_EVENT_LOOP_DELAY_MS = 50;

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function buildResult(i: BuildInput): BenchResult {
  const s = i.snapshot;
  const c = s.counters;
  // Throughput over the time the answers took to arrive: a steady target answers N requests
  // over (last - first answer) + one inter-arrival gap = the window; a target that falls
  // behind answers late, and its rate must not look like the offered rate.
  const answers = c.ok + c.errors;
  const answerSpanMs =
    answers > 1 && Number.isFinite(s.firstCompletedMs) && s.firstCompletedMs > 0
      ? s.lastCompletedMs - s.firstCompletedMs + i.measuredMs / answers
      : 0;
  const spanMs = Math.max(i.measuredMs, answerSpanMs, 1);
  const seconds = spanMs / 1000;
  const lat = summarize(decode(s.histograms.latency));
  const svc = summarize(decode(s.histograms.service_time));
  const lag = summarize(decode(s.histograms.send_lag));
  const target = summarizeTarget(
    i.targetSamples,
    s.measureStartMs,
    s.measureStartMs + i.measuredMs,
  );
  const errorsTotal = c.errors + c.timeouts;
  const metrics: Metrics = {
    target_rps: i.targetRps,
    rps: r3((c.ok + c.errors) / seconds),
    requests_total: c.sent,
    ...latencyMetrics(lat),
    latency_mean_ms: lat.mean_ms,
    errors_total: errorsTotal,
    error_rate: errorRate(errorsTotal, c.sent),
    timeouts_total: c.timeouts,
    backpressure_total: c.backpressure_total,
    ...target,
  };
  return {
    schema: RESULT_SCHEMA,
    tool: i.tool,
    scenario: i.scenario,
    target: i.target,
    run: {
      started_at: new Date(i.startedAtMs).toISOString(),
      ended_at: new Date(i.endedAtMs).toISOString(),
      duration_s: r3(i.measuredMs / 1000),
      warmup_s: r3(i.warmupMs / 1000),
      interrupted: i.interrupted,
      mode: i.mode,
    },
    env: i.env,
    git: i.git,
    metrics,
    counters: {
      scheduled: c.scheduled,
      sent: c.sent,
      not_sent: c.not_sent,
      ok: c.ok,
      errors: c.errors,
      timeouts: c.timeouts,
      in_flight_at_end: c.in_flight_at_end,
    },
    warmup: {
      scheduled: s.warmup.scheduled,
      sent: s.warmup.sent,
      // Only when some were dropped (see driver/open-loop skipStaleWarmup): the usual shape
      // stays what scripts reading results already know.
      ...(s.warmup.not_sent > 0 ? { not_sent: s.warmup.not_sent } : {}),
      ok: s.warmup.ok,
      errors: s.warmup.errors,
      timeouts: s.warmup.timeouts,
    },
    errors_by_class: s.errors_by_class,
    backpressure_by_kind: s.backpressure_by_kind,
    intervals: intervalRows(s, i.targetSamples),
    histograms: { unit: 'us', ...s.histograms },
    service_time: { p50_ms: svc.p50_ms, p99_ms: svc.p99_ms, max_ms: svc.max_ms },
    ...(s.by_kind ? { by_kind: kindMetrics(s.by_kind, seconds) } : {}),
    generator: judgeGenerator(i, lag.p99_ms, lag.max_ms, metrics),
  };
}

/** A generator thread busy this share of the time, while the schedule fell behind, is out
 * of CPU: its own work, not the target, decided when requests went out. */
export const MAX_EVENT_LOOP_UTILIZATION = 0.9;
/**
 * A generator thread that waited for a core this share of the time, while the schedule fell
 * behind, was short of CPU without looking busy: the time it waited counts as idle in its
 * loop's utilisation. Which side the shortage held back is not knowable from here (a target
 * on the same cores is slowed as much), so it is said beside the limit, not made a verdict.
 */
export const CPU_WAIT_NOTE_PCT = 20;

/**
 * Saturation means the generator, not the target, failed to keep the schedule; `limit`
 * names what held the offered rate back, so an overloaded run says whose fault it was.
 */
export function judgeGenerator(
  i: BuildInput,
  lagP99: number,
  lagMax: number,
  m: Pick<Metrics, 'rps' | 'errors_total' | 'timeouts_total'>,
): GeneratorSection {
  const s = i.snapshot;
  const eld = Math.max(0, ...i.health.map((h) => h.event_loop_delay_p99_ms));
  const elu = Math.max(0, ...i.health.map((h) => h.event_loop_utilization ?? 0));
  const cpuWait = maxCpuWait(i.health);
  const waitedConn = s.backpressure_by_kind.connections_busy ?? 0;
  const waitedBound = s.backpressure_by_kind.client_in_flight_limit ?? 0;
  // With `on_end: stop` the slots after the last row were not sent by design, not for want
  // of capacity.
  const notSent = s.data_exhausted ? 0 : s.counters.not_sent;
  const fellBehind = notSent > 0 || waitedConn > 0 || waitedBound > 0;
  // A bound is the limit when it held back a real share of the load (or any of it for good):
  // a burst that briefly found every connection busy is backpressure, still counted, not a cap.
  const sizeable = (n: number): boolean =>
    n > 0 && (notSent > 0 || n >= 0.01 * s.counters.scheduled);
  // Waiting for a core while the schedule fell behind: the shortage was the machine's CPU, so
  // more connections (more sockets for the same starved thread) are not the advice to give.
  const starved = fellBehind && cpuWait !== undefined && cpuWait >= CPU_WAIT_NOTE_PCT;
  const reasons: string[] = [];
  if (i.mode === 'open' && lagP99 > i.maxSendLagMs) {
    reasons.push(
      `send lag p99 ${lagP99} ms exceeds ${i.maxSendLagMs} ms: requests left later than scheduled`,
    );
  }
  if (eld > MAX_EVENT_LOOP_DELAY_MS) {
    reasons.push(`event-loop delay p99 ${eld} ms exceeds ${MAX_EVENT_LOOP_DELAY_MS} ms`);
  }
  if (i.mode === 'open' && fellBehind && elu >= MAX_EVENT_LOOP_UTILIZATION) {
    reasons.push(
      `out of CPU: a generator thread was busy ${Math.round(elu * 100)}% of the time while the schedule fell behind (${waitedConn + waitedBound} requests waited, ${notSent} not sent)`,
    );
  }
  const saturated = reasons.length > 0;
  const offered = i.targetRps ?? 0;
  let limit: GeneratorLimit = 'none';
  let why = '';
  if (saturated) {
    limit = 'generator_cpu';
    why = reasons[0]!;
  } else if (i.interrupted && s.counters.scheduled === 0) {
    // Stopped during warm-up: no measured slot, so no rate to hold against anyone.
    why = 'interrupted during warm-up: nothing was measured';
  } else if (sizeable(waitedConn)) {
    limit = 'connections';
    why = `all ${i.connections ?? '?'} connections were busy: ${waitedConn} requests waited for one (the wait is in their latency)${starved ? '' : '; raise --connections'}`;
  } else if (sizeable(waitedBound)) {
    limit = 'in_flight_limit';
    why = `the in-flight bound (--max-in-flight ${i.maxInFlight}) was reached: ${waitedBound} requests waited (the wait is in their latency)`;
  } else if (
    i.mode === 'open' &&
    ((m.rps < offered * 0.99 && !s.data_exhausted) || m.timeouts_total > 0 || m.errors_total > 0)
  ) {
    limit = 'target';
    why = `the generator kept the schedule (loop busy ${Math.round(elu * 100)}%); the target answered ${m.rps} of ${offered} req/s offered, ${m.errors_total} errors (${m.timeouts_total} timeouts)`;
  }
  if (notSent > 0 && limit !== 'generator_cpu')
    why += `; ${notSent} requests could not be sent before the schedule ended`;
  if (starved)
    why += `${why ? '; ' : ''}a generator thread also waited for a core ${cpuWait}% of the time: this machine was short of CPU (the target or other work on the generator's cores), which more connections do not mend; give the generator cores of its own (taskset)`;
  // Only the driver's cut at the measurement's start leaves warm-up slots unsent in a run
  // that was neither interrupted (stop() counts what was due) nor out of data.
  if (s.warmup.not_sent > 0 && !s.data_exhausted && !i.interrupted)
    why += `${why ? '; ' : ''}${s.warmup.not_sent} warm-up requests were still unsent when the measurement began and were dropped, so it measured its own requests`;
  if (s.data_exhausted)
    why += `${why ? '; ' : ''}the data file ran out (on_end: stop): ${s.counters.not_sent} requests not sent`;
  return {
    saturated,
    reasons,
    limit,
    ...(why ? { limit_reason: why } : {}),
    send_lag_p99_ms: lagP99,
    send_lag_max_ms: lagMax,
    event_loop_delay_p99_ms: eld,
    event_loop_utilization: elu,
    // CPU and RSS are process-wide; each shard measured the same process, so take the max.
    cpu_pct: Math.max(0, ...i.health.map((h) => h.cpu_pct)),
    ...(cpuWait !== undefined ? { cpu_wait_pct: cpuWait } : {}),
    rss_mb: Math.max(0, ...i.health.map((h) => h.rss_mb)),
    threads: i.threads,
    ...(i.timer ? { timer: i.timer } : {}),
  };
}

function intervalRows(s: RecorderSnapshot, samples: readonly ProbeSample[]): IntervalRow[] {
  const last = Math.max(
    s.intervals.reduce((m, iv) => Math.max(m, iv.t), -1),
    s.offered.length - 1,
  );
  const open = s.offered.length > 0;
  const byT = new Map(s.intervals.map((iv) => [iv.t, iv]));
  const probeByT = new Map<number, ProbeSample>();
  for (const p of samples) {
    const t = Math.floor((p.atMs - s.measureStartMs) / 1000);
    if (t >= 0) probeByT.set(t, p);
  }
  const rows: IntervalRow[] = [];
  for (let t = 0; t <= last; t++) {
    const iv = byT.get(t);
    const h = iv?.summary ?? summarize(decode(iv?.latency ?? ''));
    const p = probeByT.get(t);
    rows.push({
      t,
      rps: (iv?.ok ?? 0) + (iv?.errors ?? 0),
      sent: iv?.sent ?? 0,
      ok: iv?.ok ?? 0,
      errors: iv?.errors ?? 0,
      timeouts: iv?.timeouts ?? 0,
      backpressure: iv?.backpressure ?? 0,
      in_flight_max: iv?.in_flight_max ?? 0,
      ...(open ? { offered: s.offered[t] ?? 0 } : {}),
      p50_ms: h.p50_ms,
      p90_ms: h.p90_ms,
      p99_ms: h.p99_ms,
      max_ms: h.max_ms,
      mean_ms: h.mean_ms,
      ...(p ? { mem_mb: Math.round(p.memMb * 100) / 100 } : {}),
      ...(p?.cpuPct !== undefined ? { cpu_pct: Math.round(p.cpuPct * 100) / 100 } : {}),
    });
  }
  return rows;
}

/** Metrics whose per-run values are kept under `samples` for noise-aware gate rules. */
const SAMPLED = [
  'rps',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  'latency_mean_ms',
  'error_rate',
  'errors_total',
  'timeouts_total',
  'backpressure_total',
] as const;

/**
 * N runs of one scenario as one result: histograms and counters merged exactly, intervals
 * laid end to end, `rps` the mean of the runs, and each run's metrics under `samples`.
 * The generator is judged saturated if it was in any run.
 */
export function buildRepeatedResult(runs: readonly BuildInput[]): BenchResult {
  const each = runs.map((r) => buildResult(r));
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  let offset = 0;
  const shifted = runs.map((r) => {
    const snap = {
      ...r.snapshot,
      measureStartMs: first.snapshot.measureStartMs,
      measureEndMs: first.snapshot.measureEndMs,
    };
    snap.intervals = r.snapshot.intervals.map((iv) => ({ ...iv, t: iv.t + offset }));
    offset += nextOffset(
      r.snapshot.intervals.map((iv) => iv.t),
      r.measuredMs,
    );
    return snap;
  });
  const merged = buildResult({
    ...first,
    endedAtMs: last.endedAtMs,
    interrupted: runs.some((r) => r.interrupted),
    measuredMs: runs.reduce((a, r) => a + r.measuredMs, 0),
    snapshot: mergeSnapshots(shifted),
    health: runs.flatMap((r) => r.health),
    // Target samples per run window are summarised over the whole span of the runs.
    targetSamples: first.targetSamples.filter(
      (p) =>
        p.atMs >= first.snapshot.measureStartMs &&
        p.atMs <= last.snapshot.measureStartMs + last.measuredMs,
    ),
  });
  merged.intervals = mergeSnapshotsIntervalsRows(each);
  merged.metrics.rps = r3(each.reduce((a, r) => a + r.metrics.rps, 0) / each.length);
  const samples: Record<string, number[]> = {};
  for (const k of SAMPLED) samples[k] = each.map((r) => r.metrics[k] ?? 0);
  for (const k of ['mem_mb', 'cpu_pct'] as const) {
    if (each.every((r) => r.metrics[k] !== undefined)) samples[k] = each.map((r) => r.metrics[k]!);
  }
  merged.samples = samples;
  const reasons = each.flatMap((r, i) => r.generator.reasons.map((why) => `run ${i + 1}: ${why}`));
  merged.generator.saturated = each.some((r) => r.generator.saturated);
  merged.generator.reasons = reasons;
  return merged;
}

function mergeSnapshotsIntervalsRows(each: readonly BenchResult[]): IntervalRow[] {
  const rows: IntervalRow[] = [];
  let offset = 0;
  for (const r of each) {
    for (const row of r.intervals) rows.push({ ...row, t: row.t + offset });
    offset += nextOffset(
      r.intervals.map((row) => row.t),
      r.run.duration_s * 1000,
    );
  }
  return rows;
}

/** Runs are laid end to end: the next starts after the previous one's last second. */
function nextOffset(ts: readonly number[], measuredMs: number): number {
  return Math.max(Math.ceil(measuredMs / 1000), ...ts.map((t) => t + 1));
}
