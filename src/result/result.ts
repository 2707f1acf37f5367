import type { TimerKind } from '../timing/timers.js';
import type { Environment, GitInfo } from '../env/environment.js';
import type { Counters } from '../record/recorder.js';

/** The result JSON (`bench-result/v1`), as published in schemas/bench-result.schema.json. */
export const RESULT_SCHEMA = 'bench-result/v1';

export interface Metrics {
  target_rps: number | null;
  rps: number;
  requests_total: number;
  latency_p50_ms: number;
  latency_p90_ms: number;
  latency_p95_ms: number;
  latency_p99_ms: number;
  latency_p999_ms: number;
  latency_max_ms: number;
  latency_mean_ms: number;
  errors_total: number;
  error_rate: number;
  timeouts_total: number;
  backpressure_total: number;
  mem_mb?: number;
  mem_growth_mb_per_min?: number;
  cpu_pct?: number;
  [extra: string]: number | null | undefined;
}

export type LatencyMetrics = Pick<
  Metrics,
  | 'latency_p50_ms'
  | 'latency_p90_ms'
  | 'latency_p95_ms'
  | 'latency_p99_ms'
  | 'latency_p999_ms'
  | 'latency_max_ms'
>;

/** One request kind's figures in the result (`by_kind.NAME`), named like the run's metrics. */
export interface KindMetrics
  extends
    LatencyMetrics,
    Pick<
      Metrics,
      | 'requests_total'
      | 'rps'
      | 'errors_total'
      | 'error_rate'
      | 'timeouts_total'
      | 'backpressure_total'
    > {
  errors_by_class: Record<string, number>;
  /** Latency from intended send time, compressed HDR in microseconds, as the run's. */
  histogram: string;
}

export interface IntervalRow {
  t: number;
  rps: number;
  sent: number;
  ok: number;
  errors: number;
  timeouts: number;
  backpressure: number;
  in_flight_max: number;
  /** Open loop: requests whose intended send time falls in this second. */
  offered?: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  mem_mb?: number;
  cpu_pct?: number;
}

/** What held the offered rate back: nothing, the generator's CPU, the client's connection
 * pool, its in-flight bound, or the target itself. */
export type GeneratorLimit =
  'none' | 'generator_cpu' | 'connections' | 'in_flight_limit' | 'target';

/**
 * The limit line of a report: only when something other than the generator's own CPU (which
 * `reasons` already explain) held the rate back.
 */
export function limitLine(g: GeneratorSection): string | undefined {
  if (!g.limit || g.limit === 'none' || g.limit === 'generator_cpu') return undefined;
  return `${g.limit.replace(/_/g, ' ')}: ${g.limit_reason ?? ''}`;
}

export interface GeneratorSection {
  saturated: boolean;
  reasons: string[];
  limit: GeneratorLimit;
  limit_reason?: string;
  event_loop_utilization: number;
  send_lag_p99_ms: number;
  send_lag_max_ms: number;
  event_loop_delay_p99_ms: number;
  cpu_pct: number;
  /** % of the window a generator thread was ready to run but waited for a core (Linux). */
  cpu_wait_pct?: number;
  rss_mb: number;
  threads: number;
  /** What kept this process's send times (absent for runs on agents). */
  timer?: TimerKind;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  tool: { name: string; version: string };
  scenario: Record<string, unknown>;
  target: { url: string; kind: string; pid?: number; subject?: string; mode?: string };
  run: {
    started_at: string;
    ended_at: string;
    duration_s: number;
    warmup_s: number;
    interrupted: boolean;
    mode: 'open' | 'closed' | 'consume';
    exit_code?: number;
    /** Some generator agents were lost: the load offered was less than the scenario's. */
    partial?: boolean;
  };
  env: Environment;
  git: GitInfo;
  metrics: Metrics;
  counters: Omit<Counters, 'backpressure_total'>;
  /**
   * `not_sent`, only when some were: warm-up slots never sent (dropped when the measurement
   * began, or left by an interrupt or the end of the data).
   */
  warmup: {
    scheduled: number;
    sent: number;
    not_sent?: number;
    ok: number;
    errors: number;
    timeouts: number;
  };
  errors_by_class: Record<string, number>;
  backpressure_by_kind: Record<string, number>;
  intervals: IntervalRow[];
  histograms: { unit: 'us'; latency: string; service_time: string; send_lag: string };
  service_time: { p50_ms: number; p99_ms: number; max_ms: number };
  /** Per request kind of a mix (scenario `requests`). */
  by_kind?: Record<string, KindMetrics>;
  generator: GeneratorSection;
  samples?: Record<string, number[]>;
  /** Per-agent breakdown of a fleet run (bench-router --agents). */
  agents?: import('./agent-row.js').AgentRow[];
  /** Fault injection and recovery (`--fault-at`/`--fault-cmd`). */
  fault?: import('../fault/recovery.js').FaultAnalysis & {
    commands: import('../fault/commands.js').CommandRun[];
  };
  /** The target's memory over the run (soak): slope, interval, leak suspicion. */
  memory_trend?: import('./target-summary.js').MemoryTrend;
  /** Every target probe; the first one's figures are the metrics' mem_mb / cpu_pct. */
  probes?: {
    kind: string;
    source: string;
    samples: number;
    mem_mb?: number;
    mem_growth_mb_per_min?: number;
    cpu_pct?: number;
    last?: Record<string, number>;
    error?: string;
  }[];
}
