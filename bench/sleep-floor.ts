#!/usr/bin/env node
/**
 * A yardstick for `npm run bench`: how late a thread that does nothing else wakes on this
 * machine when it sleeps in `Atomics.wait` to evenly spaced instants, as bench-router's loop
 * sleeps through short gaps. Its p99 is the floor under any send lag p99 measured here: on a
 * shared VM it moved between 0.17 and 1.8 ms from one 5 s run to the next.
 * Usage: node sleep-floor.js GAP_MS SECONDS; prints {"p50_ms","p99_ms"}.
 */
const gapMs = Number(process.argv[2]);
const seconds = Number(process.argv[3]);
const cell = new Int32Array(new SharedArrayBuffer(4));
const n = Math.max(1, Math.floor((seconds * 1000) / gapMs));
const late = new Float64Array(n);
const t0 = performance.now() + 10;
for (let k = 0; k < n; k++) {
  const due = t0 + k * gapMs;
  const wait = due - performance.now();
  if (wait > 0) Atomics.wait(cell, 0, 0, wait);
  late[k] = performance.now() - due;
}
late.sort();
const at = (q: number): number =>
  Math.round(late[Math.min(n - 1, Math.floor(q * n))]! * 1000) / 1000;
process.stdout.write(`${JSON.stringify({ p50_ms: at(0.5), p99_ms: at(0.99) })}\n`);
