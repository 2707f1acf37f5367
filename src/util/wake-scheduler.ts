/**
 * Sub-millisecond wake-ups without burning a core: sleep on a timer while the due time is
 * far (Node timers have 1 ms granularity and fire late), then yield with setImmediate for
 * the last stretch so I/O still runs while we wait. Used by the load generator's dispatch
 * loop and by the built-in router's service-time model.
 */
export interface Clock {
  now(): number;
}

export const wallClock: Clock = {
  // performance.timeOrigin + now() is an epoch in ms with µs resolution, comparable across
  // worker threads (each thread has its own timeOrigin, but the sum is the same clock).
  now: () => performance.timeOrigin + performance.now(),
};

const SPIN_WINDOW_MS = 1.5;

export function wakeAt(clock: Clock, dueMs: number, fn: () => void): () => void {
  let cancelled = false;
  let handle: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const check = (): void => {
    if (cancelled) return;
    const gap = dueMs - clock.now();
    if (gap <= 0) {
      fn();
    } else if (gap > SPIN_WINDOW_MS) {
      handle = setTimeout(check, Math.floor(gap - 1));
    } else {
      handle = setImmediate(check);
    }
  };
  check();
  return () => {
    cancelled = true;
    if (handle) {
      clearTimeout(handle as NodeJS.Timeout);
      clearImmediate(handle as NodeJS.Immediate);
    }
  };
}
