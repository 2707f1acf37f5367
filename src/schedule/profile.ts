/**
 * A rate profile: the offered rate over time as straight segments (k6's ramping-arrival-rate
 * stages: from the previous target to each stage's target over its duration; equal targets
 * hold). Pure. Schedules place arrivals through the profile's cumulative count
 * Lambda(t) = integral of the rate: constant arrivals where Lambda crosses each whole number,
 * Poisson arrivals by time change (a unit-rate Poisson process in Lambda mapped back).
 */
export interface Segment {
  durationMs: number;
  /** Requests per second at the segment's start and end; linear in between. */
  fromRate: number;
  toRate: number;
}

export interface Stage {
  durationMs: number;
  target: number;
}

/** Warm-up at the start rate, then the stages, each ramping from the previous target. */
export function profileFromStages(startRate: number, warmupMs: number, stages: Stage[]): Segment[] {
  const out: Segment[] = [];
  if (warmupMs > 0) out.push({ durationMs: warmupMs, fromRate: startRate, toRate: startRate });
  let prev = startRate;
  for (const s of stages) {
    out.push({ durationMs: s.durationMs, fromRate: prev, toRate: s.target });
    prev = s.target;
  }
  return out;
}

export function peakRate(segments: readonly Segment[]): number {
  return Math.max(0, ...segments.map((s) => Math.max(s.fromRate, s.toRate)));
}

/** Expected arrivals in a segment's first `ms` milliseconds. */
function countIn(s: Segment, ms: number): number {
  const slope = (s.toRate - s.fromRate) / s.durationMs; // per second, per ms
  return (s.fromRate * ms + (slope * ms * ms) / 2) / 1000;
}

export class RateProfile {
  /** Lambda at each segment's start, and in total. */
  private readonly starts: number[] = [];
  readonly total: number;
  readonly lengthMs: number;

  constructor(readonly segments: readonly Segment[]) {
    let acc = 0;
    let len = 0;
    for (const s of segments) {
      if (!(s.durationMs > 0) || s.fromRate < 0 || s.toRate < 0)
        throw new RangeError('segments need a positive duration and rates >= 0');
      this.starts.push(acc);
      acc += countIn(s, s.durationMs);
      len += s.durationMs;
    }
    this.total = acc;
    this.lengthMs = len;
  }

  /** Expected arrivals from the start to `ms` into the profile. */
  cumulative(ms: number): number {
    let t = Math.max(0, ms);
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      if (t <= s.durationMs) return this.starts[i]! + countIn(s, t);
      t -= s.durationMs;
    }
    return this.total;
  }

  /** The rate (req/s) `ms` into the profile; 0 outside it. */
  rateAt(ms: number): number {
    let t = ms;
    if (t < 0) return 0;
    for (const s of this.segments) {
      if (t < s.durationMs) return s.fromRate + ((s.toRate - s.fromRate) * t) / s.durationMs;
      t -= s.durationMs;
    }
    return 0;
  }

  /** The time (ms into the profile) at which `count` arrivals are expected; undefined past the end. */
  timeOf(count: number): number | undefined {
    if (count > this.total || count < 0) return undefined;
    let offset = 0;
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      const inSeg =
        (i + 1 < this.starts.length ? this.starts[i + 1]! : this.total) - this.starts[i]!;
      const need = count - this.starts[i]!;
      if (need <= inSeg && inSeg > 0) {
        // Solve from/1000 * t + slope/2000 * t^2 = need in the stable form 2c / (b + sqrt(b^2 + 4ac)).
        const a = (s.toRate - s.fromRate) / s.durationMs / 2000;
        const b = s.fromRate / 1000;
        const t = need <= 0 ? 0 : (2 * need) / (b + Math.sqrt(b * b + 4 * a * need));
        return offset + Math.min(s.durationMs, t);
      }
      offset += s.durationMs;
    }
    return undefined;
  }
}
