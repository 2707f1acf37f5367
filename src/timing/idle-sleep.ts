import type { Clock } from './clock.js';

/**
 * Sleeping through a short gap on this thread itself. A thread with nothing in flight has
 * nothing to read until its next send, so instead of arming the wake thread (which wakes,
 * then wakes this thread through the event loop: ~50 µs of CPU per slot here) it can block
 * in `Atomics.wait` until the send time: one futex wake, ~15 µs, and as precise. Only for
 * gaps of a few ms: timers and signals of this thread wait meanwhile.
 *
 * The time spent here is counted, so the generator's event-loop utilisation (which sees a
 * blocked loop as busy) can leave it out.
 */
const cell = new Int32Array(new SharedArrayBuffer(4));
let slept = 0;

export function sleepUntil(clock: Clock, dueMs: number): void {
  const t0 = clock.now();
  if (dueMs <= t0) return;
  Atomics.wait(cell, 0, 0, dueMs - t0);
  slept += clock.now() - t0;
}

/** Milliseconds this thread has spent in sleepUntil. */
export function sleptMs(): number {
  return slept;
}
