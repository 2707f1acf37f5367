import { mergeEncoded } from './histogram.js';
import type {
  Counters,
  IntervalSnapshot,
  KindSnapshot,
  RecorderSnapshot,
  Timeline,
} from './recorder.js';

/**
 * Adds recorder snapshots exactly: counters add, HDR histograms add bucket by bucket,
 * intervals add second by second. All parts must share one measurement window.
 */
export function mergeSnapshots(parts: readonly RecorderSnapshot[]): RecorderSnapshot {
  const first = parts[0];
  if (!first) throw new Error('mergeSnapshots: nothing to merge');
  if (parts.length === 1) return first;
  const byT = new Map<number, IntervalSnapshot[]>();
  for (const p of parts) {
    for (const iv of p.intervals) {
      const list = byT.get(iv.t);
      if (list) list.push(iv);
      else byT.set(iv.t, [iv]);
    }
  }
  const intervals = [...byT.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, ivs]) => ({
      t,
      sent: sum(ivs, (i) => i.sent),
      ok: sum(ivs, (i) => i.ok),
      errors: sum(ivs, (i) => i.errors),
      timeouts: sum(ivs, (i) => i.timeouts),
      backpressure: sum(ivs, (i) => i.backpressure),
      in_flight_max: sum(ivs, (i) => i.in_flight_max),
      latency: mergeEncoded(ivs.map((i) => i.latency)),
    }));
  const merged: RecorderSnapshot = {
    measureStartMs: first.measureStartMs,
    measureEndMs: first.measureEndMs,
    firstCompletedMs: Math.min(
      ...parts.map((p) => p.firstCompletedMs).filter((t) => t > 0),
      Infinity,
    ),
    lastCompletedMs: Math.max(...parts.map((p) => p.lastCompletedMs)),
    counters: addCounters(parts.map((p) => p.counters)),
    warmup: addCounters(parts.map((p) => p.warmup)),
    errors_by_class: addMaps(parts.map((p) => p.errors_by_class)),
    backpressure_by_kind: addMaps(parts.map((p) => p.backpressure_by_kind)),
    histograms: {
      latency: mergeEncoded(parts.map((p) => p.histograms.latency)),
      service_time: mergeEncoded(parts.map((p) => p.histograms.service_time)),
      send_lag: mergeEncoded(parts.map((p) => p.histograms.send_lag)),
    },
    intervals,
    offered: addArrays(parts.map((p) => p.offered)),
  };
  if (!Number.isFinite(merged.firstCompletedMs)) merged.firstCompletedMs = 0;
  const kinds = parts.map((p) => p.by_kind).filter((k): k is Record<string, KindSnapshot> => !!k);
  if (kinds.length) merged.by_kind = mergeKinds(kinds);
  if (parts.some((p) => p.data_exhausted)) merged.data_exhausted = true;
  const tls = parts.map((p) => p.timeline).filter((t): t is Timeline => !!t);
  if (tls.length) merged.timeline = mergeTimelines(tls);
  return merged;
}

/** Per-kind parts add like the run's: counters, error classes, HDR bucket by bucket. */
function mergeKinds(parts: readonly Record<string, KindSnapshot>[]): Record<string, KindSnapshot> {
  const names = [...new Set(parts.flatMap((p) => Object.keys(p)))];
  const out: Record<string, KindSnapshot> = {};
  for (const name of names) {
    const ks = parts.map((p) => p[name]).filter((k): k is KindSnapshot => !!k);
    out[name] = {
      sent: sum(ks, (k) => k.sent),
      ok: sum(ks, (k) => k.ok),
      errors: sum(ks, (k) => k.errors),
      timeouts: sum(ks, (k) => k.timeouts),
      backpressure: sum(ks, (k) => k.backpressure),
      errors_by_class: addMaps(ks.map((k) => k.errors_by_class)),
      latency: mergeEncoded(ks.map((k) => k.latency)),
    };
  }
  return out;
}

function mergeTimelines(tls: readonly Timeline[]): Timeline {
  const n = Math.max(...tls.map((t) => t.ok.length));
  const at = (xs: number[], i: number): number => xs[i] ?? 0;
  return {
    bucket_ms: tls[0]!.bucket_ms,
    ok: Array.from({ length: n }, (_, i) => tls.reduce((a, t) => a + at(t.ok, i), 0)),
    failed: Array.from({ length: n }, (_, i) => tls.reduce((a, t) => a + at(t.failed, i), 0)),
    max_us: Array.from({ length: n }, (_, i) => Math.max(...tls.map((t) => at(t.max_us, i)))),
  };
}

function addArrays(xs: readonly number[][]): number[] {
  const n = Math.max(0, ...xs.map((x) => x.length));
  return Array.from({ length: n }, (_, i) => xs.reduce((a, x) => a + (x[i] ?? 0), 0));
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

export function addCounters(cs: readonly Counters[]): Counters {
  const out = { ...cs[0]! };
  for (const c of cs.slice(1)) {
    for (const k of Object.keys(out) as (keyof Counters)[]) out[k] += c[k];
  }
  return out;
}

export function addMaps(ms: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of ms) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}
