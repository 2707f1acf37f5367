import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimerQueue } from '../../src/timing/timer-queue.js';
import { FakeWaker, fakeClock } from '../helpers/fake-time.js';

describe('timer queue over a waker', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1000 }));
  afterEach(() => void vi.useRealTimers());

  it('fires timers in deadline order, each once, and tells the waker the next two', () => {
    const waker = new FakeWaker();
    const q = new TimerQueue(fakeClock, waker);
    const fired: string[] = [];
    q.add(1030, () => fired.push('c'));
    q.add(1010, () => fired.push('a'));
    q.add(1020, () => fired.push('b'));
    expect(waker.armed).toEqual([1010, 1020]);
    vi.advanceTimersByTime(15);
    expect(fired).toEqual(['a']);
    expect(waker.armed).toEqual([1020, 1030]);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(waker.armed).toEqual([Infinity, Infinity]);
    expect(q.size).toBe(0);
  });

  it('a cancelled timer leaves at once and never wakes anyone', () => {
    const waker = new FakeWaker();
    const q = new TimerQueue(fakeClock, waker);
    const fired: string[] = [];
    const a = q.add(1010, () => fired.push('a'));
    q.add(1050, () => fired.push('b'));
    a.cancel();
    a.cancel(); // twice is harmless
    expect(waker.armed).toEqual([1050, Infinity]);
    vi.advanceTimersByTime(30);
    expect(waker.wakes).toBe(0);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual(['b']);
    expect(waker.wakes).toBe(1);
  });

  it('keeps the heap ordered through many adds and removals', () => {
    const waker = new FakeWaker();
    const q = new TimerQueue(fakeClock, waker);
    const fired: number[] = [];
    const handles = [];
    for (let i = 0; i < 200; i++) {
      const due = 1001 + ((i * 37) % 200);
      handles.push({ due, h: q.add(due, () => fired.push(due)) });
    }
    for (let i = 0; i < 200; i += 3) handles[i]!.h.cancel();
    vi.advanceTimersByTime(300);
    const kept = handles.filter((_, i) => i % 3 !== 0).map((x) => x.due);
    expect(fired).toEqual([...kept].sort((a, b) => a - b));
  });

  it('a timer added from a callback for a past instant still fires, not inline', () => {
    const waker = new FakeWaker();
    const q = new TimerQueue(fakeClock, waker);
    const fired: string[] = [];
    q.add(1010, () => {
      fired.push('first');
      q.add(1000, () => fired.push('late'));
      expect(fired).toEqual(['first']); // not called synchronously
    });
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(['first', 'late']);
  });
});
