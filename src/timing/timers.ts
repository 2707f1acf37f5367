import { wallClock } from './clock.js';
import { NativeTimerWaker, nativeTimerBinding } from './native-timer.js';
import { TimerQueue } from './timer-queue.js';
import { wakeThread } from './wake-thread.js';

/**
 * The precise timer facility of this JS thread: the dispatch loop and the built-in router's
 * service model both schedule on it, so a thread has one timer (the native timerfd, or else
 * one sleeping wake thread) whatever number of deadlines it holds.
 */
let queue: TimerQueue | undefined;

/** Which timer keeps this process's deadlines: reported with each run's generator figures. */
export type TimerKind = 'timerfd' | 'wake_thread';

export function timerKind(): TimerKind {
  return nativeTimerBinding() ? 'timerfd' : 'wake_thread';
}

export function preciseTimers(): TimerQueue {
  if (queue) return queue;
  const native = nativeTimerBinding();
  return (queue = new TimerQueue(
    wallClock,
    native ? new NativeTimerWaker(native, wallClock) : wakeThread(),
  ));
}
