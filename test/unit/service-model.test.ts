import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS } from '../../src/targets/builtin-router/knobs.js';
import { ServiceModel } from '../../src/targets/builtin-router/service-model.js';
import { TimerQueue } from '../../src/timing/timer-queue.js';
import type { Waker } from '../../src/timing/waker.js';

/** A waker the test drives: it records the deadline asked for; the test fires it late. */
class ManualWaker implements Waker {
  first = Infinity;
  handler: () => void = () => undefined;
  setHandler(fn: () => void): void {
    this.handler = fn;
  }
  arm(first: number): void {
    this.first = first;
  }
}

/**
 * 1,000 requests at once to 4 workers x 5 ms (capacity 800/s): when every timer fires
 * `lateMs` late (and one of them `stallMs` late), when is the last one answered?
 */
function lastAnswerMs(lateMs: number, stall?: { at: number; ms: number }): number {
  let now = 0;
  const clock = { now: () => now };
  const waker = new ManualWaker();
  const model = new ServiceModel(
    { ...DEFAULT_KNOBS, workers: 4, serviceTimeMs: 5, serviceDist: 'fixed', queueLimit: 1e6 },
    clock,
    new TimerQueue(clock, waker),
  );
  let answered = 0;
  for (let i = 0; i < 1000; i++) model.submit(() => answered++);
  let wakes = 0;
  while (answered < 1000 && waker.first < Infinity) {
    now = waker.first + lateMs + (stall && wakes === stall.at ? stall.ms : 0);
    wakes++;
    waker.handler();
  }
  expect(answered).toBe(1000);
  return now;
}

describe('built-in router service model', () => {
  it('serves at workers / service time although its timers fire late', () => {
    // 250 rounds of 5 ms: 1,250 ms. Late timers must not stretch every service time
    // (0.3 ms late each would give 250 x 5.3 = 1,325 ms, capacity 755/s instead of 800).
    expect(lastAnswerMs(0)).toBeCloseTo(1250, 6);
    expect(lastAnswerMs(0.3)).toBeLessThan(1250.5);
  });

  it('a stalled event loop still delays what waits behind it', () => {
    // A 100 ms stall is not lateness to make up for: the queue is served that much later
    // (less the 2 ms credit at most).
    expect(lastAnswerMs(0, { at: 10, ms: 100 })).toBeGreaterThan(1250 + 97);
  });
});
