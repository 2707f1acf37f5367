/** Time as the generator sees it: epoch milliseconds with microsecond resolution. */
export interface Clock {
  now(): number;
}

export const wallClock: Clock = {
  // performance.timeOrigin + now() is an epoch in ms with µs resolution, comparable across
  // worker threads (each thread has its own timeOrigin, but the sum is the same clock).
  now: () => performance.timeOrigin + performance.now(),
};
