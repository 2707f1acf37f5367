import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lets the process's background threads yield to its timing threads. Every thread that exists
 * before the toolkit starts its own is background work: V8's compiler and garbage-collector
 * helpers, libuv's file-system pool, the inspector. The main thread, the wake threads and the
 * generator's worker threads come later and keep their priority.
 *
 * Why: with the generator pinned to one core (as beside a service on a small CI runner),
 * V8 compiles the hot path with TurboFan in the run's first seconds, ~0.3 s of CPU on a
 * thread of its own. Each time the wake thread or the event loop woke for a slot while that
 * thread held the core, it waited for the rest of its time slice. 14 interleaved pairs of 8 s
 * runs at 1,000 req/s against nginx, generator pinned to one core: send lag p99 median
 * 1.42 ms as they were, 0.55 ms with these threads at nice +10 (then with the wake thread);
 * CPU the same within the host's noise (and at 20,000 req/s, lag and CPU both).
 *
 * Why not more than 4: the same threads run the garbage collector's parallel work, and a
 * scavenge waits for its helpers. On a busy host (a CI runner running other jobs) a helper at
 * nice +10 waited tens of milliseconds for a core, and the dispatch loop with it: four busy
 * processes on the 2 cores, runs of 4 s (after 2 s of warm-up) at 300 req/s beside a plain
 * `setTimeout` loop (p99 lateness 3.8-5.2 ms), send lag p99 4.5-17.8 ms (median 5.7), max
 * 16-56 ms at +10; 4.2-4.8 (median 4.6), max 10-19 ms at +4; 3.9-5.4 (median 4.4), max 8-11
 * ms at 0. Pinned to one core at 1,000 req/s against nginx, send lag p99 median 0.80 ms at
 * +10 (18 runs), 0.64 at +4 (12), 1.17 at 0 (12): +4 keeps what yielding was for without
 * starving the collector.
 *
 * Linux only (threads are listed in /proc and a thread id is a valid `setPriority` target);
 * elsewhere, or where not permitted, nothing changes.
 */
export const NICER_BY = 4;

export function yieldBackgroundThreads(): void {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const t of tids) {
    const tid = Number(t);
    if (tid === process.pid) continue;
    try {
      setPriority(tid, Math.min(19, getPriority(tid) + NICER_BY));
    } catch {
      // Not permitted, or the thread ended meanwhile: it keeps its priority.
    }
  }
}
