import { decode, summarize } from '../record/histogram.js';
import type { KindSnapshot } from '../record/recorder.js';
import type { KindMetrics, LatencyMetrics } from './result.js';

export type { KindMetrics } from './result.js';

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Failed over sent, to six decimals (0 when nothing was sent). */
export const errorRate = (errors: number, sent: number): number =>
  sent ? r3((errors / sent) * 1e3) / 1e3 : 0;

/** The latency metrics of a summarised histogram, for the run and for each kind. */
export function latencyMetrics(lat: ReturnType<typeof summarize>): LatencyMetrics {
  return {
    latency_p50_ms: lat.p50_ms,
    latency_p90_ms: lat.p90_ms,
    latency_p95_ms: lat.p95_ms,
    latency_p99_ms: lat.p99_ms,
    latency_p999_ms: lat.p999_ms,
    latency_max_ms: lat.max_ms,
  };
}

/** Per-kind metrics over the run's own window (`seconds`), so kinds' rps add up to the run's. */
export function kindMetrics(
  kinds: Record<string, KindSnapshot>,
  seconds: number,
): Record<string, KindMetrics> {
  const out: Record<string, KindMetrics> = {};
  for (const [name, k] of Object.entries(kinds)) {
    const errors = k.errors + k.timeouts;
    out[name] = {
      requests_total: k.sent,
      rps: r3((k.ok + k.errors) / seconds),
      errors_total: errors,
      error_rate: errorRate(errors, k.sent),
      errors_by_class: k.errors_by_class,
      timeouts_total: k.timeouts,
      backpressure_total: k.backpressure,
      ...latencyMetrics(summarize(decode(k.latency))),
      histogram: k.latency,
    };
  }
  return out;
}
