import type { BenchResult } from '../result/result.js';

/**
 * Whether one sweep step kept the SLO, judged within the step: p99 within the SLO, errors
 * within the budget, the achieved rate close to the offered one, and no queue building up
 * (requests in flight or latency still rising through the step).
 */
export interface StepSlo {
  p99Ms: number;
  maxErrorRate: number;
  /** Achieved / offered below this fails the step. */
  minAchievedRatio: number;
}

export function judgeStep(r: BenchResult, slo: StepSlo): { pass: boolean; reasons: string[] } {
  const m = r.metrics;
  const reasons: string[] = [];
  const offered = m.target_rps ?? m.rps;
  if (m.latency_p99_ms > slo.p99Ms)
    reasons.push(`latency: p99 ${m.latency_p99_ms} ms > SLO ${slo.p99Ms} ms`);
  if (m.error_rate > slo.maxErrorRate) {
    const kind =
      m.backpressure_total >= m.errors_total / 2 && m.backpressure_total > 0
        ? 'backpressure'
        : 'errors';
    reasons.push(
      `${kind}: error rate ${(m.error_rate * 100).toFixed(2)}% > ${(slo.maxErrorRate * 100).toFixed(2)}%${fmtClasses(r.errors_by_class)}`,
    );
  }
  if (m.rps < offered * slo.minAchievedRatio) {
    reasons.push(
      `throughput: achieved ${m.rps} of ${offered} req/s offered (< ${Math.round(slo.minAchievedRatio * 100)}%)`,
    );
  }
  const growth = queueGrowth(r);
  if (growth) reasons.push(growth);
  return { pass: reasons.length === 0, reasons };
}

function fmtClasses(m: Record<string, number>): string {
  const top = Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3);
  return top.length ? ` (${top.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
}

/**
 * A queue that keeps growing: compare the first and last third of the step's seconds. Both
 * in-flight and median latency must at least double and grow by a meaningful amount, so
 * noise at low load does not count.
 */
export function queueGrowth(r: BenchResult): string | undefined {
  const iv = r.intervals.filter((i) => i.t < Math.ceil(r.run.duration_s));
  if (iv.length < 3) return undefined;
  const third = Math.max(1, Math.floor(iv.length / 3));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const first = iv.slice(0, third);
  const last = iv.slice(-third);
  const f = {
    inFlight: mean(first.map((i) => i.in_flight_max)),
    p50: mean(first.map((i) => i.p50_ms)),
  };
  const l = {
    inFlight: mean(last.map((i) => i.in_flight_max)),
    p50: mean(last.map((i) => i.p50_ms)),
  };
  const inFlightGrows = l.inFlight > 2 * f.inFlight && l.inFlight - f.inFlight >= 10;
  const latencyGrows = l.p50 > 2 * f.p50 && l.p50 - f.p50 >= 5;
  if (inFlightGrows && latencyGrows) {
    return `queue growth: in flight ${Math.round(f.inFlight)} -> ${Math.round(l.inFlight)}, p50 ${f.p50.toFixed(1)} -> ${l.p50.toFixed(1)} ms through the step`;
  }
  return undefined;
}
