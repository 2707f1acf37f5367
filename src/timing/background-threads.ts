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
 * 1.42 ms as they were, 0.55 ms with these threads at nice +10; CPU the same within the
 * host's noise (and at 20,000 req/s, lag and CPU both).
 *
 * Linux only (threads are listed in /proc and a thread id is a valid `setPriority` target);
 * elsewhere, or where not permitted, nothing changes.
 */
const NICER_BY = 10;

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
