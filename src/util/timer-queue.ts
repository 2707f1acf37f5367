import { wakeAt, type Clock } from './wake-scheduler.js';

/**
 * Many precise deadlines behind one wake-up: a binary min-heap of due times, so thousands
 * of pending timers cost one timer, not thousands.
 */
export class TimerQueue {
  private readonly due: number[] = [];
  private readonly fns: (() => void)[] = [];
  private cancel: (() => void) | undefined;
  private armedFor = Infinity;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.due.length;
  }

  add(dueMs: number, fn: () => void): void {
    let i = this.due.length;
    this.due.push(dueMs);
    this.fns.push(fn);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[parent]! <= dueMs) break;
      this.swap(i, parent);
      i = parent;
    }
    if (dueMs < this.armedFor) this.arm();
  }

  clear(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.armedFor = Infinity;
    this.due.length = 0;
    this.fns.length = 0;
  }

  private arm(): void {
    this.cancel?.();
    const first = this.due[0];
    if (first === undefined) {
      this.armedFor = Infinity;
      this.cancel = undefined;
      return;
    }
    this.armedFor = first;
    // wakeAt may call back synchronously; defer so add() never runs callbacks inline.
    this.cancel = wakeAt(this.clock, Math.max(first, this.clock.now() + 0.001), this.fire);
  }

  private fire = (): void => {
    this.cancel = undefined;
    this.armedFor = Infinity;
    const now = this.clock.now();
    while (this.due.length && this.due[0]! <= now) this.pop()();
    this.arm();
  };

  private pop(): () => void {
    const fn = this.fns[0]!;
    const lastDue = this.due.pop()!;
    const lastFn = this.fns.pop()!;
    if (this.due.length) {
      this.due[0] = lastDue;
      this.fns[0] = lastFn;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.due.length && this.due[l]! < this.due[m]!) m = l;
        if (r < this.due.length && this.due[r]! < this.due[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return fn;
  }

  private swap(a: number, b: number): void {
    [this.due[a], this.due[b]] = [this.due[b]!, this.due[a]!];
    [this.fns[a], this.fns[b]] = [this.fns[b]!, this.fns[a]!];
  }
}
