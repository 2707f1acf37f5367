import type { Clock } from './clock.js';
import type { Waker } from './waker.js';

/**
 * Many precise deadlines behind one waker: a binary min-heap of due times, so thousands of
 * pending timers (the built-in router's requests in service, the dispatch loop's next
 * slots) cost one sleeping thread, not thousands of timers. Cancelled timers leave the heap
 * at once, so they never cause a wake-up.
 */
export interface TimerHandle {
  cancel(): void;
}

interface Entry {
  due: number;
  fn: () => void;
  /** Position in the heap; -1 once fired or cancelled. */
  at: number;
}

export class TimerQueue {
  private readonly heap: Entry[] = [];
  private firing = false;
  private armedFirst = Infinity;
  private armedThen = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly waker: Waker,
  ) {
    waker.setHandler(this.fire);
  }

  /** Resolves when deadlines will be kept (the waker's thread has started). */
  ready(): Promise<void> {
    return this.waker.ready?.() ?? Promise.resolve();
  }

  get size(): number {
    return this.heap.length;
  }

  /** Calls `fn` once the clock reaches `dueMs` (never synchronously from here). */
  add(dueMs: number, fn: () => void): TimerHandle {
    const e: Entry = { due: dueMs, fn, at: this.heap.length };
    this.heap.push(e);
    this.up(e.at);
    this.rearm();
    return { cancel: () => this.remove(e) };
  }

  private remove(e: Entry): void {
    if (e.at < 0) return;
    const i = e.at;
    e.at = -1;
    const last = this.heap.pop()!;
    if (last !== e) {
      this.heap[i] = last;
      last.at = i;
      this.down(i);
      this.up(last.at);
    }
    this.rearm();
  }

  private fire = (): void => {
    this.firing = true;
    const now = this.clock.now();
    while (this.heap.length && this.heap[0]!.due <= now) {
      const e = this.heap[0]!;
      this.remove(e);
      e.fn();
    }
    this.firing = false;
    this.rearm();
  };

  /** Tells the waker the earliest deadline and the next one, when they changed. */
  private rearm(): void {
    if (this.firing) return; // fire() re-arms once at the end
    const h = this.heap;
    const first = h[0]?.due ?? Infinity;
    const then = Math.min(h[1]?.due ?? Infinity, h[2]?.due ?? Infinity);
    if (first === this.armedFirst && then === this.armedThen) return;
    this.armedFirst = first;
    this.armedThen = then;
    this.waker.arm(first, then);
  }

  private up(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.due <= e.due) break;
      h[i] = h[p]!;
      h[i]!.at = i;
      i = p;
    }
    h[i] = e;
    e.at = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.due < h[l]!.due ? r : l;
      if (h[c]!.due >= e.due) break;
      h[i] = h[c]!;
      h[i]!.at = i;
      i = c;
    }
    h[i] = e;
    e.at = i;
  }
}
