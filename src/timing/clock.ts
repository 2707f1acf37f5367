/** Time as the generator sees it: epoch milliseconds with microsecond resolution. */
export interface Clock {
  now(): number;
}

// performance.timeOrigin + now() is an epoch in ms with µs resolution, comparable across
// worker threads (each thread has its own timeOrigin, but the sum is the same clock). The
// origin is fixed for the thread's life: read once, as its getter is not free per request.
const origin = performance.timeOrigin;

export const wallClock: Clock = {
  now: () => origin + performance.now(),
};
