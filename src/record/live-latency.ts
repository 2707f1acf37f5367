/**
 * What live metrics need from a recorder, kept as it goes and cheap to ship between threads
 * four times a second: counts of the measured window and the latency of its answers in
 * fixed buckets (Prometheus histograms cannot be merged from HDR snapshots on a scrape).
 */
export const LIVE_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export interface MeasuredLive {
  ok: number;
  errors: number;
  timeouts: number;
  scheduled: number;
  sent: number;
  backpressure: number;
  /** Answers per bucket (not cumulative): index i counts latency <= LIVE_BUCKETS_S[i] and
   * above the previous bound; the last entry counts the rest (+Inf). */
  buckets: number[];
  latencySumS: number;
}

export function emptyMeasured(): MeasuredLive {
  return {
    ok: 0,
    errors: 0,
    timeouts: 0,
    scheduled: 0,
    sent: 0,
    backpressure: 0,
    buckets: Array<number>(LIVE_BUCKETS_S.length + 1).fill(0),
    latencySumS: 0,
  };
}

export function bucketOf(seconds: number): number {
  let i = 0;
  while (i < LIVE_BUCKETS_S.length && seconds > LIVE_BUCKETS_S[i]!) i++;
  return i;
}

export function addMeasured(a: MeasuredLive, b: MeasuredLive): MeasuredLive {
  return {
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    scheduled: a.scheduled + b.scheduled,
    sent: a.sent + b.sent,
    backpressure: a.backpressure + b.backpressure,
    buckets: a.buckets.map((x, i) => x + (b.buckets[i] ?? 0)),
    latencySumS: a.latencySumS + b.latencySumS,
  };
}
