import type { Timeline } from '../record/recorder.js';

/**
 * Recovery after a fault, pure, from the 100 ms timeline by intended send time (so a timeout
 * that fires after the target came back is charged to when its request was sent). Before the
 * fault sets the normal level: the failure rate and the typical slowest answer per bucket
 * (the 90th percentile of bucket maxima). Recovered is the
 * first bucket after the fault from which a whole second of requests stays at that level: failures no
 * higher than before (plus one per bucket of slack) and the slowest answer within `factor`
 * times normal.
 */
export interface FaultAnalysis {
  fault_at_s: number;
  recover_at_s: number | null;
  normal: { failure_rate: number; slow_ms: number };
  during: { answers: number; failed: number; max_latency_ms: number };
  recovered_at_s: number | null;
  /** From the recover command (or the fault, without one) to recovered. */
  recovery_time_s: number | null;
  factor: number;
}

const WINDOW = 10; // one second of 100 ms buckets

export function analyseRecovery(
  tl: Timeline,
  faultAtMs: number,
  recoverAtMs: number | undefined,
  factor: number,
): FaultAnalysis {
  const bucket = tl.bucket_ms;
  const faultB = Math.floor(faultAtMs / bucket);
  const sum = (xs: number[], a: number, b: number): number =>
    xs.slice(a, b).reduce((s, x) => s + x, 0);
  const preOk = sum(tl.ok, 0, faultB);
  const preFailed = sum(tl.failed, 0, faultB);
  const failureRate = preOk + preFailed ? preFailed / (preOk + preFailed) : 0;
  const maxima = tl.max_us
    .slice(0, faultB)
    .filter((x) => x > 0)
    .sort((a, b) => a - b);
  // The 90th percentile of the per-bucket maxima: what "slow" normally looks like here.
  const slowUs = maxima.length ? maxima[Math.floor(maxima.length * 0.9)]! : 0;
  const normalBucket = (i: number): boolean => {
    const ok = tl.ok[i] ?? 0;
    const failed = tl.failed[i] ?? 0;
    if (ok + failed === 0) return false; // nothing answered: not recovered
    return failed <= failureRate * (ok + failed) + 1 && (tl.max_us[i] ?? 0) <= factor * slowUs;
  };
  const from = Math.floor((recoverAtMs ?? faultAtMs) / bucket);
  let recoveredB: number | undefined;
  // Recovered at the first normal bucket that starts a normal second (one stray bucket in
  // ten is noise, as it is before the fault too).
  for (let i = Math.max(faultB + 1, from); i + WINDOW <= tl.ok.length; i++) {
    if (!normalBucket(i)) continue;
    let abnormal = 0;
    for (let j = i + 1; j < i + WINDOW; j++) if (!normalBucket(j)) abnormal++;
    if (abnormal <= 1) {
      recoveredB = i;
      break;
    }
  }
  const endB = recoveredB ?? tl.ok.length;
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  const recoveredAtMs = recoveredB !== undefined ? recoveredB * bucket : undefined;
  return {
    fault_at_s: r3(faultAtMs / 1000),
    recover_at_s: recoverAtMs !== undefined ? r3(recoverAtMs / 1000) : null,
    normal: { failure_rate: r3(failureRate), slow_ms: r3(slowUs / 1000) },
    during: {
      answers: sum(tl.ok, faultB, endB) + sum(tl.failed, faultB, endB),
      failed: sum(tl.failed, faultB, endB),
      max_latency_ms: r3(Math.max(0, ...tl.max_us.slice(faultB, endB)) / 1000),
    },
    recovered_at_s: recoveredAtMs !== undefined ? r3(recoveredAtMs / 1000) : null,
    recovery_time_s:
      recoveredAtMs !== undefined
        ? r3(Math.max(0, recoveredAtMs - (recoverAtMs ?? faultAtMs)) / 1000)
        : null,
    factor,
  };
}
