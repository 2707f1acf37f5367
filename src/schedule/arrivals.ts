/**
 * Intended send times, independent of responses (open loop). Pure: no clock, no I/O.
 * A schedule can be split into disjoint shares (threads, later agents) whose union is the
 * whole: a constant schedule by interleaving (share k of n takes every n-th slot), a Poisson
 * schedule by independent Poisson streams at rate/n (the superposition of Poisson processes
 * is Poisson at the summed rate).
 */
import type { RateProfile } from './profile.js';

export type Arrival = 'constant' | 'poisson';

export interface ScheduleSpec {
  arrival: Arrival;
  /** Total offered rate in requests per second across all shares. */
  rate: number;
  /** Epoch ms of the first slot. */
  startMs: number;
  /** Length of the schedule (warm-up plus measurement) in ms. */
  lengthMs: number;
  seed: number;
  share?: { index: number; count: number };
  /** Stages: the rate follows this profile from startMs (rate and lengthMs are ignored). */
  profile?: RateProfile;
}

export interface Schedule {
  /** Intended time (epoch ms) of the next slot, or undefined when the schedule is over. */
  next(): number | undefined;
}

export function createSchedule(spec: ScheduleSpec): Schedule {
  if (spec.profile) return profiledSchedule(spec, spec.profile);
  if (!(spec.rate > 0)) throw new RangeError('rate must be > 0');
  const share = spec.share ?? { index: 0, count: 1 };
  const endMs = spec.startMs + spec.lengthMs;
  if (spec.arrival === 'constant') {
    const intervalMs = 1000 / spec.rate;
    let slot = share.index;
    return {
      next() {
        // Multiply rather than accumulate so float error does not drift over long runs.
        const t = spec.startMs + slot * intervalMs;
        if (t >= endMs) return undefined;
        slot += share.count;
        return t;
      },
    };
  }
  const rng = mulberry32(spec.seed * 7919 + share.index);
  const meanGapMs = (1000 * share.count) / spec.rate;
  let t = spec.startMs;
  return {
    next() {
      t += -Math.log(1 - rng()) * meanGapMs;
      if (t >= endMs) return undefined;
      return t;
    },
  };
}

/**
 * Arrivals through a rate profile: slot k (of the whole schedule) where the expected count
 * reaches k for constant arrivals, shares interleaving slots as above; for Poisson, each
 * share a unit-rate-over-n Poisson process in expected-count space, mapped back to time.
 */
function profiledSchedule(spec: ScheduleSpec, profile: RateProfile): Schedule {
  const share = spec.share ?? { index: 0, count: 1 };
  if (spec.arrival === 'constant') {
    let slot = share.index;
    return {
      next() {
        // Slot `total` would fall on the end itself (excluded, as for a constant rate); the
        // tolerance keeps float error in the sum of segments from adding it back.
        if (slot >= profile.total - 1e-9 * Math.max(1, profile.total)) return undefined;
        const t = profile.timeOf(slot);
        if (t === undefined || t >= profile.lengthMs) return undefined;
        slot += share.count;
        return spec.startMs + t;
      },
    };
  }
  const rng = mulberry32(spec.seed * 7919 + share.index);
  let s = 0;
  return {
    next() {
      s += -Math.log(1 - rng()) * share.count;
      const t = profile.timeOf(s);
      if (t === undefined || t >= profile.lengthMs) return undefined;
      return spec.startMs + t;
    },
  };
}

/** Small, fast, seedable PRNG so Poisson schedules are reproducible from the result's seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
