import {
  newHistogram,
  encode,
  msToUs,
  percentilesUs,
  recordUs,
  summarize,
  type Histogram,
  type LatencySummary,
} from './histogram.js';
import { bucketOf, emptyMeasured, type MeasuredLive } from './live-latency.js';
import { KindStats, type KindSnapshot } from './kind-stats.js';
import type { Outcome } from './outcome.js';

export type { KindSnapshot } from './kind-stats.js';

/**
 * Everything a run measures, as plain counters and HDR histograms. Inclusion in the
 * statistics is decided by the *intended* send time: a request scheduled during warm-up is
 * warm-up even if it completes later. The snapshot is serialisable and mergeable, so worker
 * threads (and later agents) each keep their own recorder and the parent adds them up.
 */
export interface Counters {
  scheduled: number;
  sent: number;
  not_sent: number;
  ok: number;
  errors: number;
  timeouts: number;
  in_flight_at_end: number;
  backpressure_total: number;
}

export interface IntervalSnapshot {
  /** Seconds since the end of warm-up. */
  t: number;
  sent: number;
  ok: number;
  errors: number;
  timeouts: number;
  backpressure: number;
  /** Most requests in flight (sent, not yet answered) seen during this second. */
  in_flight_max: number;
  /** Latency (from intended send) of requests completed in this second, compressed HDR. */
  latency: string;
  /**
   * That histogram's summary, taken while it was live: the result's per-second rows then
   * need not decode it again. Decoding a run's intervals at its end (each a full counts
   * array, through the library's decoder that has not run before) was ~20 ms of CPU and a
   * collection, in a run whose whole cost at 1,000 req/s is ~1.1 s. Absent where intervals
   * were merged across threads or agents: those rows decode the merged histogram.
   */
  summary?: LatencySummary;
}

export interface RecorderSnapshot {
  measureStartMs: number;
  measureEndMs: number;
  /** When the first and the last measured request ended (0: none did). */
  firstCompletedMs: number;
  lastCompletedMs: number;
  counters: Counters;
  warmup: Counters;
  errors_by_class: Record<string, number>;
  backpressure_by_kind: Record<string, number>;
  histograms: { latency: string; service_time: string; send_lag: string };
  intervals: IntervalSnapshot[];
  /** Slots whose intended time falls in each second since the end of warm-up (open loop). */
  offered: number[];
  timeline?: Timeline;
  /** Per request kind of a mix (measured window only), by kind name. */
  by_kind?: Record<string, KindSnapshot>;
  /** The data feeder ran out with `on_end: stop`: the slots after it were not sent. */
  data_exhausted?: boolean;
}

export const TIMELINE_BUCKET_MS = 100;
/** How far before the measurement the rehearsal recorder's own measurement starts. */
const REHEARSAL_LEAD_MS = 3_600_000;

/** Per-bucket counts by intended send time; arrays indexed by bucket since the end of warm-up. */
export interface Timeline {
  bucket_ms: number;
  ok: number[];
  failed: number[];
  max_us: number[];
}

export { OK, type Outcome } from './outcome.js';

export function zeroCounters(): Counters {
  return {
    scheduled: 0,
    sent: 0,
    not_sent: 0,
    ok: 0,
    errors: 0,
    timeouts: 0,
    in_flight_at_end: 0,
    backpressure_total: 0,
  };
}

type IntervalAcc = Omit<IntervalSnapshot, 'latency'>;

export class Recorder {
  readonly counters = zeroCounters();
  readonly warmup = zeroCounters();
  private readonly errorsByClass: Record<string, number> = {};
  private readonly backpressureByKind: Record<string, number> = {};
  private readonly latency = newHistogram();
  private readonly serviceTime = newHistogram();
  private readonly sendLag = newHistogram();
  private readonly closed: IntervalSnapshot[] = [];
  private readonly offered: number[] = [];
  private readonly liveBuckets = emptyMeasured().buckets;
  private liveSumUs = 0;
  private readonly intervalHist: Histogram = newHistogram();
  private cur: IntervalAcc | undefined;
  private firstCompletedMs = 0;
  private lastCompletedMs = 0;

  /** Optional 100 ms timeline by intended time (fault runs): answers, failures, slowest. */
  private readonly timeline: Timeline | undefined;
  /** Per request kind, when the run has a mix. */
  private readonly kinds: KindStats | undefined;
  private dataExhausted = false;
  /**
   * Warm-up requests are recorded twice: counted here as warm-up, and measured in full by a
   * rehearsal recorder that is thrown away. So the measured code path (histograms, intervals,
   * per-kind stats) is compiled and optimised during the warm-up, not at the start of the
   * measurement: without it, the first measured second of a 260k msg/s run had a send lag
   * p99 of ~25-40 ms (the JIT at work) against ~3 ms in the seconds after. Made at the
   * first warm-up request, so a run without warm-up allocates nothing for it.
   */
  private rehearsalRecorder: Recorder | undefined;

  constructor(
    readonly measureStartMs: number,
    readonly measureEndMs: number,
    withTimeline = false,
    private readonly kindNames?: readonly string[],
    private readonly rehearse = true,
  ) {
    if (withTimeline)
      this.timeline = { bucket_ms: TIMELINE_BUCKET_MS, ok: [], failed: [], max_us: [] };
    this.kinds = kindNames ? new KindStats(kindNames) : undefined;
  }

  private get rehearsal(): Recorder | undefined {
    if (!this.rehearse) return undefined;
    // Its measurement starts an hour early, so every warm-up request is measured there.
    return (this.rehearsalRecorder ??= new Recorder(
      this.measureStartMs - REHEARSAL_LEAD_MS,
      this.measureStartMs,
      false,
      this.kindNames,
      false,
    ));
  }

  /** The feeder ran out (`on_end: stop`). */
  markDataExhausted(): void {
    this.dataExhausted = true;
  }

  private mark(atMs: number, ok: boolean, latencyUs: number): void {
    const tl = this.timeline!;
    const b = Math.max(0, Math.floor((atMs - this.measureStartMs) / TIMELINE_BUCKET_MS));
    while (tl.ok.length <= b) {
      tl.ok.push(0);
      tl.failed.push(0);
      tl.max_us.push(0);
    }
    if (ok) tl.ok[b]!++;
    else tl.failed[b]!++;
    if (latencyUs > tl.max_us[b]!) tl.max_us[b] = latencyUs;
  }

  private inWarmup(intendedMs: number): boolean {
    return intendedMs < this.measureStartMs;
  }

  private counterFor(intendedMs: number): Counters {
    return this.inWarmup(intendedMs) ? this.warmup : this.counters;
  }

  scheduled(intendedMs: number): void {
    const c = this.counterFor(intendedMs);
    c.scheduled++;
    if (c === this.warmup) return this.rehearsal?.scheduled(intendedMs);
    const t = Math.floor((intendedMs - this.measureStartMs) / 1000);
    while (this.offered.length <= t) this.offered.push(0);
    this.offered[t]!++;
  }

  notSent(intendedMs: number): void {
    this.counterFor(intendedMs).not_sent++;
  }

  /**
   * `dispatchedMs` is when the dispatch loop reached the slot (lag is the generator's own);
   * undefined when the request waited for the client's bound, which is backpressure, not lag.
   */
  sent(intendedMs: number, dispatchedMs: number | undefined, nowMs: number, kind = 0): void {
    const c = this.counterFor(intendedMs);
    c.sent++;
    if (c === this.warmup) return this.rehearsal?.sent(intendedMs, dispatchedMs, nowMs, kind);
    this.kinds?.sent(kind);
    if (dispatchedMs !== undefined) recordUs(this.sendLag, msToUs(dispatchedMs - intendedMs));
    this.interval(nowMs).sent++;
  }

  /** `kind`: what held the request back; `requestKind`: its kind in the mix. */
  backpressure(intendedMs: number, kind: string, requestKind = 0): void {
    const c = this.counterFor(intendedMs);
    c.backpressure_total++;
    if (c === this.warmup) return this.rehearsal?.backpressure(intendedMs, kind, requestKind);
    this.backpressureByKind[kind] = (this.backpressureByKind[kind] ?? 0) + 1;
    this.kinds?.backpressure(requestKind);
  }

  completed(
    intendedMs: number,
    sentMs: number,
    nowMs: number,
    outcome: Outcome,
    requestKind = 0,
  ): void {
    const c = this.counterFor(intendedMs);
    if (outcome.kind === 'ok') c.ok++;
    else if (outcome.kind === 'timeout') c.timeouts++;
    else c.errors++;
    if (c === this.warmup)
      return this.rehearsal?.completed(intendedMs, sentMs, nowMs, outcome, requestKind);
    this.kinds?.completed(requestKind, msToUs(nowMs - intendedMs), outcome);
    this.answeredAt(nowMs);
    // By intended time: "from when on do new requests succeed again", the recovery users see.
    if (this.timeline) this.mark(intendedMs, outcome.kind === 'ok', msToUs(nowMs - intendedMs));

    const iv = this.interval(nowMs);
    if (outcome.kind === 'ok') {
      iv.ok++;
      this.okLatency(msToUs(nowMs - intendedMs), msToUs(nowMs - sentMs));
      return;
    }
    if (outcome.kind === 'timeout') {
      iv.timeouts++;
      this.bump(this.errorsByClass, 'timeout');
      return;
    }
    iv.errors++;
    this.bump(this.errorsByClass, outcome.cls);
    if (outcome.backpressure) {
      iv.backpressure++;
      this.backpressure(intendedMs, outcome.backpressure, requestKind);
    }
  }

  private answeredAt(nowMs: number): void {
    if (nowMs > this.lastCompletedMs) this.lastCompletedMs = nowMs;
    if (this.firstCompletedMs === 0 || nowMs < this.firstCompletedMs) this.firstCompletedMs = nowMs;
  }

  private okLatency(us: number, serviceUs: number): void {
    this.liveBuckets[bucketOf(us / 1e6)]!++;
    this.liveSumUs += us;
    recordUs(this.latency, us);
    recordUs(this.serviceTime, serviceUs);
    recordUs(this.intervalHist, us);
  }

  /**
   * A consumed message (`--mode consume`): counted by when it arrived (warm-up included),
   * its latency from its publish time.
   */
  consumed(publishedMs: number, nowMs: number): void {
    const c = this.counterFor(nowMs);
    c.scheduled++;
    c.sent++;
    c.ok++;
    if (c === this.warmup) return this.rehearsal?.consumed(publishedMs, nowMs);
    this.answeredAt(nowMs);
    const iv = this.interval(nowMs);
    iv.sent++;
    iv.ok++;
    const us = msToUs(Math.max(0, nowMs - publishedMs));
    this.okLatency(us, us);
  }

  /** Sampled by the driver a few times a second, for queue-growth detection. */
  inFlightGauge(nowMs: number, inFlight: number): void {
    if (nowMs < this.measureStartMs) return this.rehearsal?.inFlightGauge(nowMs, inFlight);
    const iv = this.interval(nowMs);
    if (inFlight > iv.in_flight_max) iv.in_flight_max = inFlight;
  }

  inFlightAtEnd(intendedMs: number): void {
    this.counterFor(intendedMs).in_flight_at_end++;
  }

  private bump(map: Record<string, number>, key: string): void {
    map[key] = (map[key] ?? 0) + 1;
  }

  private interval(nowMs: number): IntervalAcc {
    const t = Math.max(0, Math.floor((nowMs - this.measureStartMs) / 1000));
    if (this.cur && this.cur.t === t) return this.cur;
    if (this.cur && t < this.cur.t) return this.cur; // clock never goes back; be safe anyway
    this.closeCurrent();
    this.cur = { t, sent: 0, ok: 0, errors: 0, timeouts: 0, backpressure: 0, in_flight_max: 0 };
    return this.cur;
  }

  private closeCurrent(): void {
    if (!this.cur) return;
    const h = this.intervalHist;
    this.closed.push({ ...this.cur, latency: encode(h), summary: summarize(h) });
    h.reset();
    this.cur = undefined;
  }

  /**
   * Live view: for the progress line, counts including warm-up and the measured p99; for
   * live metrics, the measured window's counts and latency buckets.
   */
  live(): { ok: number; errors: number; timeouts: number; p99Ms: number; measured: MeasuredLive } {
    const c = this.counters;
    const w = this.warmup;
    return {
      ok: c.ok + w.ok,
      errors: c.errors + w.errors,
      timeouts: c.timeouts + w.timeouts,
      p99Ms: this.latency.totalCount ? percentilesUs(this.latency, [99])[0]! / 1000 : 0,
      measured: {
        ok: c.ok,
        errors: c.errors,
        timeouts: c.timeouts,
        scheduled: c.scheduled,
        sent: c.sent,
        backpressure: c.backpressure_total,
        buckets: [...this.liveBuckets],
        latencySumS: this.liveSumUs / 1e6,
      },
    };
  }

  snapshot(): RecorderSnapshot {
    this.closeCurrent();
    return {
      measureStartMs: this.measureStartMs,
      measureEndMs: this.measureEndMs,
      firstCompletedMs: this.firstCompletedMs,
      lastCompletedMs: this.lastCompletedMs,
      counters: { ...this.counters },
      warmup: { ...this.warmup },
      errors_by_class: { ...this.errorsByClass },
      backpressure_by_kind: { ...this.backpressureByKind },
      histograms: {
        latency: encode(this.latency),
        service_time: encode(this.serviceTime),
        send_lag: encode(this.sendLag),
      },
      intervals: [...this.closed],
      offered: [...this.offered],
      ...(this.timeline ? { timeline: this.timeline } : {}),
      ...(this.kinds ? { by_kind: this.kinds.snapshot() } : {}),
      ...(this.dataExhausted ? { data_exhausted: true } : {}),
    };
  }
}
