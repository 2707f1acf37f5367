import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PACKAGE_DIR } from '../util/code-dir.js';
import type { Clock } from './clock.js';
import type { Waker } from './waker.js';

/**
 * The compiled precise timer (native/precise_timer.c): a timerfd on the event loop's own
 * epoll, so a deadline costs one wake-up of this thread, as a socket's answer does. The
 * wake thread (wake-thread.ts) costs two per deadline, its own and this thread's, plus the
 * futex calls around them: on this 2-core VM, where each wake-up costs ~40-100 µs of CPU, an
 * evenly paced 1,000 req/s loop cost 0.78-0.88 s of CPU for 8 s on the timerfd against
 * 0.74-0.82 s paced by setTimeout (1 ms late at p99), send lag p99 0.23-0.56 ms.
 *
 * Built at `npm ci` (scripts/build-native.mjs) on Linux; where it is not built (another
 * OS, no compiler) or PERFKIT_TIMER=thread asks for the wake thread, timing falls back to
 * the wake thread, and the result says which one ran (generator.timer).
 */
export interface PreciseTimerBinding {
  create(callback: () => void): object;
  arm(handle: object, delayMs: number): void;
  close(handle: object): void;
}

export const NATIVE_TIMER_FILE = join(PACKAGE_DIR, 'native/build/Release/precise_timer.node');

let binding: PreciseTimerBinding | null | undefined;

/** The binding, or null where it is not built or not wanted. */
export function nativeTimerBinding(): PreciseTimerBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  if (process.platform !== 'linux' || process.env.PERFKIT_TIMER === 'thread') return binding;
  try {
    binding = createRequire(import.meta.url)(NATIVE_TIMER_FILE) as PreciseTimerBinding;
  } catch {
    // Not built here: the wake thread keeps time instead.
  }
  return binding;
}

export class NativeTimerWaker implements Waker {
  private handler: () => void = () => undefined;
  private readonly handle: object;
  /** The deadline the timerfd holds (Infinity: disarmed). */
  private armedFor = Infinity;

  constructor(
    private readonly native: PreciseTimerBinding,
    private readonly clock: Clock,
  ) {
    this.handle = native.create(() => {
      this.armedFor = Infinity; // a one-shot: whatever is asked next must be armed again
      this.handler();
    });
  }

  setHandler(fn: () => void): void {
    this.handler = fn;
  }

  /**
   * Only the first deadline: after a wake-up the timer queue asks for its next one anyway,
   * at the cost of one system call, where the wake thread went on without being told.
   */
  arm(first: number): void {
    if (first === this.armedFor) return;
    this.armedFor = first;
    this.native.arm(this.handle, first === Infinity ? Infinity : first - this.clock.now());
  }
}
