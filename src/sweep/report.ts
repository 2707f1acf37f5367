import type { BenchResult } from '../result/result.js';
import type { SweepVerdict } from './controller.js';
import type { UslFit } from './usl.js';

/**
 * capacity-sweep's report (\`capacity-sweep/v1\`): the steps, the verdict and the fit. Plain
 * types below both the sweep run and the reports that render it.
 */
export interface SweepStep {
  offered_rps: number;
  achieved_rps: number;
  p50_ms: number;
  mean_ms: number;
  /** Requests in the system by Little's law: achieved rate x mean latency. */
  concurrency: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  error_rate: number;
  errors_by_class: Record<string, number>;
  backpressure_total: number;
  in_flight_max: number;
  cpu_pct: number | null;
  mem_mb: number | null;
  generator_saturated: boolean;
  pass: boolean;
  reasons: string[];
  seconds: number;
}

export interface SweepReport {
  schema: 'capacity-sweep/v1';
  target: string;
  slo: { p99_ms: number; max_error_rate: number; min_achieved_ratio: number };
  max_sustainable_rps: number | null;
  at_least: boolean;
  breaking_point: SweepVerdict['breakingPoint'];
  stop_reason: string;
  steps: SweepStep[];
  steps_count: number;
  total_seconds: number;
  model: UslFit | null;
  env: BenchResult['env'] | null;
}
