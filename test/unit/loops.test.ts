import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClosedLoopDriver } from '../../src/driver/closed-loop.js';
import { InFlightTable } from '../../src/driver/in-flight.js';
import { decode } from '../../src/record/histogram.js';
import { OK, Recorder } from '../../src/record/recorder.js';
import type { Done, Transport } from '../../src/transports/transport.js';
import { FakeTransport, fakeClock } from '../helpers/fake-time.js';

const START = 10_000;

/** A transport whose answers the test gives by hand, to check what the table does with them. */
class HandTransport implements Transport {
  readonly pending = new Map<number, Done>();
  cancelled: number[] = [];
  async open(): Promise<void> {}
  async close(): Promise<void> {}
  send(seq: number, done: Done): () => void {
    this.pending.set(seq, done);
    return () => this.cancelled.push(seq);
  }
  answer(seq: number): void {
    this.pending.get(seq)?.(OK);
  }
}

describe('in-flight table on a fake clock', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START }));
  afterEach(() => void vi.useRealTimers());

  it('one sweeper times requests out at their own deadline and cancels them; a late answer is not counted twice', async () => {
    const recorder = new Recorder(START, START + 10_000);
    let freed = 0;
    const table = new InFlightTable(recorder, fakeClock, 100, () => freed++);
    const t = new HandTransport();
    table.start();
    table.send(t, 1, START, START);
    await vi.advanceTimersByTimeAsync(60);
    table.send(t, 2, START + 60, START + 60);
    t.answer(2);
    expect(recorder.counters.ok).toBe(1);
    // Request 1 is due at 100 ms (the sweeper runs every 25 ms): by 130 ms it timed out.
    await vi.advanceTimersByTimeAsync(70);
    expect(recorder.counters.timeouts).toBe(1);
    expect(t.cancelled).toEqual([1]);
    t.answer(1); // too late: already counted as a timeout
    expect(recorder.counters.ok).toBe(1);
    expect(freed).toBe(2);
    expect(table.size).toBe(0);
    table.finish();
  });

  it('at the end, what is still out counts as in flight at the end, not dropped', () => {
    const recorder = new Recorder(START, START + 10_000);
    const table = new InFlightTable(recorder, fakeClock, 10_000, () => undefined);
    const t = new HandTransport();
    table.start();
    for (let i = 0; i < 3; i++) table.send(t, i, START, START);
    t.answer(0);
    table.finish();
    expect(recorder.counters).toMatchObject({ sent: 3, ok: 1, in_flight_at_end: 2 });
    expect(t.cancelled).toEqual([1, 2]);
    t.answer(1);
    expect(recorder.counters.ok).toBe(1);
  });
});

describe('closed-loop driver on a fake clock', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START - 50 }));
  afterEach(() => void vi.useRealTimers());

  it('keeps exactly N requests in flight until the end, and its counters add up', async () => {
    const transport = new FakeTransport({ answerMs: 10 });
    const recorder = new Recorder(START, START + 1000);
    const driver = new ClosedLoopDriver({
      transport,
      recorder,
      clock: fakeClock,
      concurrency: 4,
      timeoutMs: 1000,
      startMs: START,
      endMs: START + 1000,
    });
    let ended = false;
    void driver.run().then(() => (ended = true));
    await vi.advanceTimersByTimeAsync(49);
    expect(transport.sent).toHaveLength(0); // nothing before the start instant
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(500);
    expect(driver.inFlight).toBe(4);
    for (let i = 0; i < 200 && !ended; i++) await vi.advanceTimersByTimeAsync(10);
    expect(ended).toBe(true);
    expect(transport.maxActive).toBe(4);
    const c = recorder.counters;
    // 4 users x 1 s / 10 ms: 400 requests, each answered.
    expect(c.sent).toBe(400);
    expect(c.scheduled).toBe(c.sent + c.not_sent);
    expect(c.sent).toBe(c.ok + c.errors + c.timeouts + c.in_flight_at_end);
    expect(c.ok).toBe(400);
    // Closed loop: latency from the actual send (no CO correction) is the service time.
    expect(decode(recorder.snapshot().histograms.latency).maxValue).toBeLessThan(10_500);
  });
});
