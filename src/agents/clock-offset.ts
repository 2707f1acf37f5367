import type { RecorderSnapshot } from '../record/recorder.js';

/**
 * Clock offset between an agent and its coordinator, NTP style: the agent asks for the
 * coordinator's time several times; in each round trip the coordinator read its clock
 * somewhere between send and receive, so the midpoint is the best guess and half the round
 * trip bounds the error. The fastest round trip has the least queueing, so it wins.
 */
export interface ClockSample {
  /** Agent clock when the request left. */
  sentMs: number;
  /** Coordinator clock when it answered. */
  coordMs: number;
  /** Agent clock when the answer arrived. */
  receivedMs: number;
}

export interface ClockOffset {
  /** coordinator clock = agent clock + offsetMs */
  offsetMs: number;
  /** The round trip of the sample used; the offset is good to ± half of it. */
  rttMs: number;
  samples: number;
}

export function estimateOffset(samples: readonly ClockSample[]): ClockOffset {
  if (!samples.length) throw new Error('estimateOffset: no samples');
  let best = samples[0]!;
  for (const s of samples) {
    if (s.receivedMs - s.sentMs < best.receivedMs - best.sentMs) best = s;
  }
  return {
    offsetMs: best.coordMs - (best.sentMs + best.receivedMs) / 2,
    rttMs: best.receivedMs - best.sentMs,
    samples: samples.length,
  };
}

/**
 * The snapshot with its absolute times moved into the coordinator's clock, so shares from
 * several machines merge over one window. Intervals and the timeline are relative to the
 * measurement start and do not move.
 */
export function toCoordinatorClock(s: RecorderSnapshot, offsetMs: number): RecorderSnapshot {
  const shift = (t: number): number => (t > 0 ? t + offsetMs : t);
  return {
    ...s,
    measureStartMs: s.measureStartMs + offsetMs,
    measureEndMs: s.measureEndMs + offsetMs,
    firstCompletedMs: shift(s.firstCompletedMs),
    lastCompletedMs: shift(s.lastCompletedMs),
  };
}
