import { decode, summarize } from '../record/histogram.js';

/**
 * k6's summary-export shape (`k6 run --summary-export`), which GitLab's merge-request Load
 * Performance widget reads (`artifacts: reports: load_performance`): checks pass rate, TTFB
 * p90/p95 from `http_req_waiting`, RPS from `http_reqs.rate`. Only what a run measured is
 * written. The latencies are ours: from each request's *intended* send time (coordinated-
 * omission correct), in ms as k6 writes them; `http_req_duration` carries the same values.
 */
export interface LoadPerformanceInput {
  /** Answered requests plus errors and timeouts in the measured window. */
  ok: number;
  failed: number;
  /** The run's own rate (its `metrics.rps`), so the widget and the result agree. */
  rps: number;
  /** Compressed HDR latency histogram (µs), as in the result's `histograms.latency`. */
  latency: string;
}

export function loadPerformance(i: LoadPerformanceInput): string {
  const s = summarize(decode(i.latency));
  const count = i.ok + i.failed;
  const trend = {
    avg: s.mean_ms,
    min: s.min_ms,
    med: s.p50_ms,
    max: s.max_ms,
    'p(90)': s.p90_ms,
    'p(95)': s.p95_ms,
  };
  const doc = {
    root_group: {
      name: '',
      path: '',
      id: 'd41d8cd98f00b204e9800998ecf8427e',
      groups: {},
      checks: {},
    },
    metrics: {
      http_reqs: { count, rate: i.rps },
      iterations: { count, rate: i.rps },
      http_req_waiting: trend,
      http_req_duration: trend,
      http_req_failed: { passes: i.failed, fails: i.ok, value: count ? i.failed / count : 0 },
      checks: { passes: i.ok, fails: i.failed, value: count ? i.ok / count : 0 },
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** From a bench-router result (parsed JSON); undefined when it is not one (a CP1 file). */
export function loadPerformanceOf(result: unknown): string | undefined {
  const r = result as {
    counters?: { ok?: unknown; errors?: unknown; timeouts?: unknown };
    metrics?: { rps?: unknown };
    histograms?: { latency?: unknown };
  };
  const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
  const ok = num(r?.counters?.ok);
  const errors = num(r?.counters?.errors);
  const timeouts = num(r?.counters?.timeouts);
  const rps = num(r?.metrics?.rps);
  const latency = r?.histograms?.latency;
  if (ok === undefined || errors === undefined || timeouts === undefined) return undefined;
  if (rps === undefined || typeof latency !== 'string') return undefined;
  return loadPerformance({ ok, failed: errors + timeouts, rps, latency });
}
