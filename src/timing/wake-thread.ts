import { Worker } from 'node:worker_threads';
import type { Waker } from './waker.js';

/**
 * Sub-millisecond wake-ups that sleep. Node's timers have 1 ms granularity and fire up to
 * ~1.1 ms late (p99, measured here), so the dispatch loop used to spin with setImmediate for
 * the last stretch before each slot, which kept a core busy at any rate. Here a small thread
 * sleeps in `Atomics.wait` (a futex with a microsecond timeout) and wakes this thread through
 * `Atomics.waitAsync` when the deadline comes: lateness p50 ~0.1 ms, p99 ~0.2 ms, and the cost
 * is two thread wake-ups per deadline, not a core.
 *
 * Shared memory, all written by this thread except FIRED and TARGET:
 *  CMD     bumped after every change of the deadlines (the thread sleeps on it)
 *  FIRED   bumped by the thread at each deadline it reached (this thread waits on it)
 *  D0, D1  the earliest deadline and the one after it (epoch ms; Infinity: none)
 *  TARGET  what the thread is sleeping towards, so a later deadline needs no notify
 */
const CMD = 0;
const FIRED = 1;
const D0 = 1;
const D1 = 2;
const TARGET = 3;

// Plain JS, evaluated in the thread: no module resolution, so it works from src and dist alike.
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const i32 = new Int32Array(workerData, 0, 2);
const f64 = new Float64Array(workerData, 0, 4);
const now = () => performance.timeOrigin + performance.now();
let firedUpTo = -Infinity;
for (;;) {
  const cmd = Atomics.load(i32, ${CMD});
  const d0 = f64[${D0}];
  const d1 = f64[${D1}];
  if (Atomics.load(i32, ${CMD}) !== cmd) continue; // torn read: the deadlines changed
  const target = d0 > firedUpTo ? d0 : d1 > firedUpTo ? d1 : Infinity;
  f64[${TARGET}] = target;
  if (target === Infinity) {
    Atomics.wait(i32, ${CMD}, cmd);
    continue;
  }
  const gap = target - now();
  if (gap > 0) {
    Atomics.wait(i32, ${CMD}, cmd, gap);
    continue;
  }
  firedUpTo = target;
  Atomics.add(i32, ${FIRED}, 1);
  Atomics.notify(i32, ${FIRED});
}`;

export class WakeThread implements Waker {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly worker: Worker;
  private handler: () => void = () => undefined;
  private seenFired = 0;
  private listening = false;
  private referenced = false;
  private readonly online: Promise<void>;

  constructor() {
    const sab = new SharedArrayBuffer(32);
    this.i32 = new Int32Array(sab, 0, 2);
    this.f64 = new Float64Array(sab, 0, 4);
    this.f64[D0] = this.f64[D1] = this.f64[TARGET] = Infinity;
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: sab });
    // Referenced until it runs, so that a caller awaiting ready() keeps the process alive.
    this.online = new Promise((resolve) =>
      this.worker.once('online', () => {
        if (!this.referenced) this.worker.unref();
        resolve();
      }),
    );
  }

  /**
   * Resolves once the thread runs. A thread takes ~20-30 ms to start here: a schedule that
   * began before would send its first requests that late (a 1 s run at 20 req/s reported a
   * send lag p99 of 24 ms, and a saturated generator, from its first request alone).
   */
  ready(): Promise<void> {
    return this.online;
  }

  setHandler(fn: () => void): void {
    this.handler = fn;
  }

  arm(first: number, then: number): void {
    const { i32, f64 } = this;
    f64[D0] = first;
    f64[D1] = then;
    Atomics.add(i32, CMD, 1);
    // The thread re-reads the deadlines whenever it wakes; it only needs waking now when the
    // new earliest deadline comes before what it is already sleeping towards.
    if (first < f64[TARGET]!) Atomics.notify(i32, CMD);
    const armed = first !== Infinity;
    // A pending deadline keeps the process alive, as a pending setTimeout would.
    if (armed !== this.referenced) {
      this.referenced = armed;
      if (armed) this.worker.ref();
      else this.worker.unref();
    }
    if (armed && !this.listening) this.listen();
  }

  private listen(): void {
    this.listening = true;
    const r = Atomics.waitAsync(this.i32, FIRED, this.seenFired);
    if (r.async) void r.value.then(this.onFired);
    else queueMicrotask(this.onFired);
  }

  private onFired = (): void => {
    this.listening = false;
    this.seenFired = Atomics.load(this.i32, FIRED);
    this.handler();
    if (this.referenced && !this.listening) this.listen();
  };
}

let shared: WakeThread | undefined;

/** One wake thread per JS thread (the main thread and each generator worker thread). */
export function wakeThread(): WakeThread {
  return (shared ??= new WakeThread());
}
