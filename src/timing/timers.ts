import { wallClock } from './clock.js';
import { TimerQueue } from './timer-queue.js';
import { wakeThread } from './wake-thread.js';

/**
 * The precise timer facility of this JS thread: the dispatch loop and the built-in router's
 * service model both schedule on it, so a thread has one sleeping wake thread whatever
 * number of deadlines it holds.
 */
let queue: TimerQueue | undefined;

export function preciseTimers(): TimerQueue {
  return (queue ??= new TimerQueue(wallClock, wakeThread()));
}
