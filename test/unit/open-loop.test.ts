import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BATCH_MS, IDLE_SLEEP_MS, OpenLoopDriver } from '../../src/driver/open-loop.js';
import { Recorder } from '../../src/record/recorder.js';
import { createSchedule } from '../../src/schedule/arrivals.js';
import { TimerQueue } from '../../src/timing/timer-queue.js';
import { decode } from '../../src/record/histogram.js';
import { FakeTransport, FakeWaker, fakeClock } from '../helpers/fake-time.js';

const START = 10_000;

function setup(o: {
  rate: number;
  lengthMs: number;
  warmupMs?: number;
  transport: FakeTransport;
  maxInFlight?: number;
  timeoutMs?: number;
  idleSleep?: (dueMs: number) => void;
  wakerLateMs?: number;
}) {
  const waker = new FakeWaker(o.wakerLateMs);
  const timers = new TimerQueue(fakeClock, waker);
  const endMs = START + o.lengthMs;
  const recorder = new Recorder(START + (o.warmupMs ?? 0), endMs);
  const driver = new OpenLoopDriver({
    transport: o.transport,
    schedule: createSchedule({
      arrival: 'constant',
      rate: o.rate,
      startMs: START,
      lengthMs: o.lengthMs,
      seed: 1,
    }),
    recorder,
    clock: fakeClock,
    timers,
    maxInFlight: o.maxInFlight ?? 10_000,
    timeoutMs: o.timeoutMs ?? 1000,
    endMs,
    meanGapMs: 1000 / o.rate,
    idleSleep: o.idleSleep,
  });
  return { driver, recorder, waker };
}

/** Runs the driver to its end on fake time; returns when (fake ms) it finished. */
async function runToEnd(driver: OpenLoopDriver, limitMs = 60_000): Promise<number> {
  let endedAt: number | undefined;
  void driver.run().then(() => (endedAt = Date.now()));
  for (let t = 0; t < limitMs && endedAt === undefined; t += 10)
    await vi.advanceTimersByTimeAsync(10);
  if (endedAt === undefined) throw new Error('driver did not finish');
  return endedAt;
}

const addsUp = (r: Recorder): void => {
  const c = r.counters;
  expect(c.scheduled).toBe(c.sent + c.not_sent);
  expect(c.sent).toBe(c.ok + c.errors + c.timeouts + c.in_flight_at_end);
};

describe('open-loop driver on a fake clock', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START - 50 }));
  afterEach(() => void vi.useRealTimers());

  it('sends every slot on time to a target that keeps up', async () => {
    const transport = new FakeTransport({ answerMs: 2 });
    const { driver, recorder, waker } = setup({ rate: 1000, lengthMs: 1000, transport });
    await runToEnd(driver);
    const c = recorder.counters;
    expect(c.scheduled).toBe(1000);
    expect(c.ok).toBe(1000);
    expect(c.not_sent + c.backpressure_total + c.timeouts).toBe(0);
    expect(decode(recorder.snapshot().histograms.send_lag).maxValue).toBeLessThan(1000); // µs
    // One wake per slot at this rate, each going straight to the next (no re-arm storm).
    expect(waker.wakes).toBeLessThanOrEqual(1001);
    addsUp(recorder);
  });

  it('at high rates wakes on the batching grid, not once per slot', async () => {
    const transport = new FakeTransport({ answerMs: 1 });
    const { driver, recorder, waker } = setup({ rate: 50_000, lengthMs: 200, transport });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(10_000);
    // 10,000 slots in 200 ms, but at most one wake-up per grid step.
    expect(waker.wakes).toBeLessThanOrEqual(Math.ceil(200 / BATCH_MS) + 1);
    addsUp(recorder);
  });

  it('never puts more on the wire than the connections; the rest waits as backpressure', async () => {
    // 4 connections x 50 ms answers carry 80 req/s; 400 are offered.
    const transport = new FakeTransport({ answerMs: 50, connections: 4 });
    const { driver, recorder } = setup({ rate: 400, lengthMs: 1000, transport });
    const endedAt = await runToEnd(driver);
    const c = recorder.counters;
    expect(transport.maxActive).toBe(4);
    expect(c.timeouts).toBe(0);
    expect(c.ok).toBeGreaterThanOrEqual(76);
    expect(c.ok).toBeLessThanOrEqual(84);
    expect(c.not_sent).toBe(400 - c.sent);
    expect(recorder.snapshot().backpressure_by_kind.connections_busy).toBeGreaterThan(300);
    // Nothing is sent after the schedule's end; the run ends after the drain.
    expect(endedAt).toBeLessThanOrEqual(START + 1000 + 20 + 1000 + 100 + 10);
    addsUp(recorder);
  });

  it('under overload the measurement carries measured slots from its first instant', async () => {
    // 4 connections x 50 ms answers carry 80 req/s; 400 are offered after a 500 ms warm-up.
    // The warm-up's 200 slots would take 2.5 s to clear, longer than the whole measurement.
    const transport = new FakeTransport({ answerMs: 50, connections: 4 });
    const { driver, recorder } = setup({ rate: 400, lengthMs: 1500, warmupMs: 500, transport });
    await runToEnd(driver);
    const c = recorder.counters;
    expect(c.ok).toBeGreaterThanOrEqual(76);
    expect(c.ok).toBeLessThanOrEqual(84);
    const w = recorder.warmup;
    expect(w.scheduled).toBe(200);
    expect(w.sent).toBeLessThanOrEqual(44);
    expect(w.not_sent).toBe(200 - w.sent);
    expect(w.backpressure_total).toBeGreaterThan(150);
    expect(c.scheduled).toBe(400);
    addsUp(recorder);
  });

  it('a loop that keeps up drops no warm-up slot at the boundary, however late it wakes', async () => {
    // Every wake-up comes 5 ms late, so the last warm-up slots go out after the boundary.
    const transport = new FakeTransport({ answerMs: 0.2 });
    const { driver, recorder } = setup({
      rate: 1000,
      lengthMs: 1000,
      warmupMs: 500,
      transport,
      wakerLateMs: 5,
    });
    await runToEnd(driver);
    expect(recorder.warmup.not_sent).toBe(0);
    expect(recorder.warmup.sent).toBe(500);
    expect(recorder.counters.sent).toBe(500);
    addsUp(recorder);
  });

  it('names the in-flight bound when that is what held requests back', async () => {
    const transport = new FakeTransport({ answerMs: 100 });
    const { driver, recorder } = setup({ rate: 200, lengthMs: 500, transport, maxInFlight: 5 });
    await runToEnd(driver);
    expect(transport.maxActive).toBe(5);
    expect(recorder.snapshot().backpressure_by_kind.client_in_flight_limit).toBeGreaterThan(50);
    addsUp(recorder);
  });

  it('a target that hangs times out request by request and the run still ends on time', async () => {
    const transport = new FakeTransport({ answerMs: 0, hang: true, connections: 8 });
    const { driver, recorder } = setup({ rate: 100, lengthMs: 1000, transport, timeoutMs: 200 });
    const endedAt = await runToEnd(driver);
    const c = recorder.counters;
    expect(c.ok).toBe(0);
    expect(c.timeouts).toBeGreaterThan(0);
    expect(c.scheduled).toBe(100);
    expect(endedAt).toBeLessThanOrEqual(START + 1000 + 20 + 200 + 100 + 60);
    addsUp(recorder);
  });

  it('an absurd offered rate ends at the schedule end, everything unsent counted', async () => {
    const transport = new FakeTransport({ answerMs: 5, connections: 2 });
    const { driver, recorder } = setup({ rate: 1_000_000, lengthMs: 100, transport });
    const endedAt = await runToEnd(driver);
    const c = recorder.counters;
    expect(c.scheduled).toBe(100_000);
    expect(c.sent).toBeLessThanOrEqual(50);
    expect(endedAt).toBeLessThanOrEqual(START + 100 + 20 + 1000 + 100 + 10);
    addsUp(recorder);
  });

  it('an interrupt stops issuing at once and finishes within the grace', async () => {
    const transport = new FakeTransport({ answerMs: 3 });
    const { driver, recorder } = setup({ rate: 1000, lengthMs: 10_000, transport });
    let endedAt: number | undefined;
    void driver.run().then(() => (endedAt = Date.now()));
    await vi.advanceTimersByTimeAsync(50 + 300);
    driver.stop(100);
    await vi.advanceTimersByTimeAsync(200);
    expect(endedAt).toBeDefined();
    expect(recorder.counters.scheduled).toBeLessThan(320);
    addsUp(recorder);
  });
});

describe('open-loop driver sleeping through short gaps', () => {
  beforeEach(() => void vi.useFakeTimers({ now: START - 50 }));
  afterEach(() => void vi.useRealTimers());

  /** A thread's sleep on fake time: the clock jumps to the instant, no timer fires. */
  const sleeper = (): { sleeps: number[]; idleSleep: (dueMs: number) => void } => {
    const sleeps: number[] = [];
    return {
      sleeps,
      idleSleep: (dueMs) => {
        sleeps.push(dueMs - Date.now());
        vi.setSystemTime(dueMs);
      },
    };
  };

  // Fake timers run an immediate queued inside a timer 1 ms later; so the answers resume the
  // loop 2 ms after each send, and the gaps are 4 ms (250 req/s).
  it('a target answering within the gap: one sleep per slot, the wake thread never used', async () => {
    const { sleeps, idleSleep } = sleeper();
    const transport = new FakeTransport({ answerMs: 1 });
    const { driver, recorder, waker } = setup({ rate: 250, lengthMs: 1000, transport, idleSleep });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(250);
    expect(sleeps.length).toBeGreaterThanOrEqual(249);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(IDLE_SLEEP_MS);
    expect(waker.wakes).toBeLessThanOrEqual(1); // the first slot, 50 ms after the start
    expect(decode(recorder.snapshot().histograms.send_lag).maxValue).toBeLessThanOrEqual(1); // µs
    addsUp(recorder);
  });

  it('a target slower than the gap (several requests out) goes to the wake thread', async () => {
    const { sleeps, idleSleep } = sleeper();
    const transport = new FakeTransport({ answerMs: 10 });
    const { driver, recorder, waker } = setup({ rate: 250, lengthMs: 1000, transport, idleSleep });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(250);
    expect(sleeps.length).toBeLessThanOrEqual(2);
    expect(waker.wakes).toBeGreaterThanOrEqual(245);
    addsUp(recorder);
  });

  it('an occasional slow answer costs only its own slot: sleeping goes on', async () => {
    const { sleeps, idleSleep } = sleeper();
    // Two answers take 6 ms (longer than the 4 ms gap), 500 slots apart; the others 1 ms.
    const transport = new FakeTransport({
      answerMs: 1,
      answerMsOf: (seq) => (seq === 100 || seq === 600 ? 6 : 1),
    });
    const { driver, recorder, waker } = setup({ rate: 250, lengthMs: 4000, transport, idleSleep });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(1000);
    // Each slow answer: its slot is kept by the safety net, the slot after it (two out) by
    // the wake thread; then the loop expects answers again.
    expect(waker.wakes).toBeLessThanOrEqual(2 * 3);
    expect(sleeps.length).toBeGreaterThanOrEqual(1000 - 2 * 3);
    addsUp(recorder);
  });

  it('slow answers close together hand the slots to the wake thread until answers come in time again', async () => {
    const { sleeps, idleSleep } = sleeper();
    // Three slow answers in a row: the watches they overlap make two misses, and the weighted
    // miss rate then needs ~75 answers in time to fall back under 1.5 in 256.
    const transport = new FakeTransport({
      answerMs: 1,
      answerMsOf: (seq) => (seq >= 100 && seq < 103 ? 6 : 1),
    });
    const { driver, recorder, waker } = setup({ rate: 250, lengthMs: 4000, transport, idleSleep });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(1000);
    expect(waker.wakes).toBeGreaterThanOrEqual(60);
    expect(waker.wakes).toBeLessThanOrEqual(100);
    expect(sleeps.length).toBeGreaterThanOrEqual(1000 - 100);
    addsUp(recorder);
  });

  it('a target whose tail often reaches the next slot keeps the wake thread', async () => {
    const { sleeps, idleSleep } = sleeper();
    // One answer in ten takes 6 ms (past the 4 ms gap): a miss rate of 10%.
    const transport = new FakeTransport({
      answerMs: 1,
      answerMsOf: (seq) => (seq % 10 === 5 ? 6 : 1),
    });
    const { driver, recorder, waker } = setup({ rate: 250, lengthMs: 4000, transport, idleSleep });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(1000);
    // It expected answers until the second slow one (slot 15); never after it.
    expect(waker.wakes).toBeGreaterThanOrEqual(1000 - 25);
    expect(sleeps.length).toBeLessThanOrEqual(25);
    addsUp(recorder);
  });

  it('expects answers that miss as often as a late wake thread would, and sends more slots on time', async () => {
    const { sleeps, idleSleep } = sleeper();
    // The same one-in-ten slow answers, but the wake thread comes 1 ms late every time (a
    // busy core): past the tolerance on every slot it keeps, so the answers are the better bet.
    const transport = new FakeTransport({
      answerMs: 1,
      answerMsOf: (seq) => (seq % 10 === 5 ? 6 : 1),
    });
    const { driver, recorder, waker } = setup({
      rate: 250,
      lengthMs: 4000,
      transport,
      idleSleep,
      wakerLateMs: 1,
    });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(1000);
    // Only the slot after each slow answer (two out) goes to the wake thread.
    expect(sleeps.length).toBeGreaterThanOrEqual(750);
    expect(waker.wakes).toBeLessThanOrEqual(150);
    addsUp(recorder);
  });

  it('at grid rates never sleeps: the wake-up grid batches the sends', async () => {
    const { sleeps, idleSleep } = sleeper();
    const transport = new FakeTransport({ answerMs: 1 });
    const { driver, recorder } = setup({ rate: 5000, lengthMs: 200, transport, idleSleep });
    await runToEnd(driver);
    expect(recorder.counters.ok).toBe(1000);
    expect(sleeps).toEqual([]);
    addsUp(recorder);
  });
});
