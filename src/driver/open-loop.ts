import type { Recorder } from '../record/recorder.js';
import type { Transport } from '../transports/transport.js';
import type { Schedule } from '../schedule/arrivals.js';
import type { Clock } from '../timing/clock.js';
import type { TimerHandle, TimerQueue } from '../timing/timer-queue.js';
import { InFlightTable } from './in-flight.js';
import { nextRow, type RequestSource } from './request-source.js';

/**
 * The open-loop dispatch loop: sends each request at its intended time whatever the target
 * does, so a slow target shows up as latency (measured from the intended time) instead of
 * as a quietly lower request rate.
 *
 * It sleeps between slots on the precise timer facility (no spinning), and at high rates
 * wakes on a fixed grid of BATCH_MS and sends everything due, so the wake-up rate stays
 * bounded. When the client
 * cannot take a request (the in-flight bound, or every connection busy) the due slots are
 * left in the schedule, not queued: memory stays flat under any overload, every request
 * that waited counts as backpressure of that kind, and the wait stays in its latency. No
 * request is sent after the schedule's end: what could not go is counted as not sent, so a
 * run ends on time whatever the offered rate.
 */
export interface OpenLoopOptions {
  transport: Transport;
  schedule: Schedule;
  recorder: Recorder;
  clock: Clock;
  timers: TimerQueue;
  maxInFlight: number;
  timeoutMs: number;
  /** End of the schedule (epoch ms): nothing is sent after it (plus a short grace). */
  endMs: number;
  /** Mean gap between this share's slots; below BATCH_MS the loop wakes on a grid. */
  meanGapMs: number;
  /** First request number of this share (keeps request ids unique across threads). */
  seqStart?: number;
  seqStep?: number;
  /** Request kinds (a mix) and data rows (a feeder). */
  source?: RequestSource;
  /**
   * Blocks this thread until the given instant (timing/idle-sleep). Given, a loop with
   * nothing in flight sleeps through short gaps instead of arming a wake-up.
   */
  idleSleep?: (dueMs: number) => void;
}

/**
 * At most this many sends per turn of the event loop, so answers are read in between (a
 * turn of 512 sends is ~0.5 ms here). One grid step's slots fit in one turn up to ~680k/s:
 * with 256, a 520k msg/s NATS publish run split every step in two and its send lag p99 passed
 * the 10 ms limit in 2 runs of 3; with 512, in none.
 */
const MAX_BATCH = 512;
/**
 * Wake-up grid at high rates: bounds timer wake-ups to ~1,300/s and adds at most this to
 * send lag. Measured at 20k req/s against nginx (whole-process CPU for 8 s, send lag p99):
 * 0.5 ms 3.5-3.9 s and 0.5 ms; 0.75 ms 3.0-3.1 s and 0.74 ms; 1 ms 2.8-2.9 s and 1.0 ms.
 */
export const BATCH_MS = 0.75;
/** A wake-up that comes this late after the schedule's end may still send its slot. */
const END_GRACE_MS = 20;
/**
 * Gaps up to this long are slept through when nothing is in flight (idleSleep): one thread
 * woken per slot, not two. Longer ones go to the wake thread, so that timers and signals of
 * this thread never wait longer than this.
 */
export const IDLE_SLEEP_MS = 2.5;
/**
 * The loop expects the one request out to be answered before the next slot while at most
 * about one answer in MISS_WINDOW came after its next slot (an exponentially weighted rate of
 * such misses, MAX_MISS_RATE). A miss costs that slot up to ~1 ms of send lag (the safety
 * net's timer), so misses this rare stay far inside the send-lag p99. A target whose tail
 * often reaches the next slot (an exponential 1 ms service at 2 ms gaps misses 13% of
 * slots) keeps its slots on the wake thread. The first rule counted answers slower than 80%
 * of the gap and handed the next 128 slots to the wake thread after each: on this noisy host
 * (~1% such answers against nginx, most still before the slot) that kept about half the
 * slots of a 1,000 req/s run on the wake thread. Interleaved 8 s runs, old rule against this
 * one, 5 each: CPU and send lag were the same within the host's noise.
 */
const MISS_WINDOW = 256;
const MAX_MISS_RATE = 1.5 / MISS_WINDOW;
/*
 * Above that rate it still expects answers while they miss no more often than the wake
 * thread itself keeps slots late (woken more than MISS_TOLERANCE_MS after the slot, the same
 * measure): the thread shares the core with this one and with V8's compiler and collector
 * threads, and on a busy or virtualised host it is late about as often as answers are
 * (here ~1-2% of wakes by >0.5 ms against ~1.5% of nginx's answers at 1,000 req/s).
 * Interleaved 8 s runs at 1,000 req/s against nginx: the rule above alone against always
 * expecting answers, 9 each, send lag p99 1.5 vs 1.07 ms (medians), CPU 1.63 vs 1.58 s; the
 * rule above alone against both rules, 6 each, 2.19 vs 1.25 ms and 1.97 vs 1.75 s.
 */
/**
 * An answer this soon after its next slot is not a miss: expecting it sent that slot with
 * the answer, at most this late, half the send-lag budget (1 ms), where the wake thread
 * itself keeps slots ~0.1-0.2 ms late here. Judged strictly, nginx's answers at 1,000 req/s
 * "missed" 3.7% of slots on this host, most by 0.1-0.2 ms.
 */
const MISS_TOLERANCE_MS = 0.5;

export class OpenLoopDriver {
  private readonly table: InFlightTable;
  private next: number | undefined;
  private after: number | undefined;
  private seq: number;
  /** The loop found a due slot it could not send, and has not caught up since. */
  private backlogged = false;
  private blockedBy: 'client_in_flight_limit' | 'connections_busy' | 'data_not_ready' =
    'client_in_flight_limit';
  private readonly wakes: { at: number; h: TimerHandle }[] = [];
  private cutoff: TimerHandle | undefined;
  private readonly grid: boolean;
  private sending = false;
  /** Armed (instead of a wake-up) while the loop expects an answer before the next slot. */
  private fallback: ReturnType<typeof setTimeout> | undefined;
  /** Weighted share of recent watches (below) that missed. */
  private missRate = 0;
  /** Weighted share of the wake thread's recent wake-ups (off the grid) that came late. */
  private wakeLateRate = 0;
  /**
   * A watch: wait() left requests out, and the answers to the first `watchAnswers` requests
   * are due by `watchDeadline` (the next slot, plus the wake thread's own lateness).
   */
  private watching = false;
  private watchAnswers = 0;
  private watchDeadline = 0;
  private sentCount = 0;
  private answeredCount = 0;
  private over = false;
  private stopping = false;
  private finished!: () => void;

  constructor(private readonly o: OpenLoopOptions) {
    this.seq = o.seqStart ?? 0;
    this.grid = o.meanGapMs < BATCH_MS;
    this.table = new InFlightTable(o.recorder, o.clock, o.timeoutMs, this.onSlotFree);
    // Capacity that comes back other than by an answer says nothing about answer times.
    o.transport.setAvailableListener?.(() => this.onSlotFree());
    o.source?.feeder?.setRowsListener(() => this.onSlotFree());
  }

  get inFlight(): number {
    return this.table.size;
  }

  /** Resolves when the schedule is done and every request has ended or the drain expired. */
  run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.table.start();
    this.next = this.o.schedule.next();
    this.after = this.o.schedule.next();
    this.cutoff = this.o.timers.add(this.o.endMs + END_GRACE_MS, this.tick);
    this.tick();
    return done;
  }

  /** Interrupt: stop issuing now, give in-flight requests a short grace, then finish. */
  stop(graceMs = 1000): void {
    if (this.stopping) return;
    this.stopping = true;
    this.endSchedule(this.o.clock.now(), false);
    this.drainDeadline = Math.min(this.drainDeadline, this.o.clock.now() + graceMs);
  }

  private tick = (): void => {
    this.clearFallback();
    if (this.watching && this.o.clock.now() > this.watchDeadline) this.judged(true);
    // One sleep per turn of the event loop: a transport that fails synchronously must not
    // keep this thread from its timers and signals for the whole run.
    for (let slept = false; ; slept = true) {
      if (this.over) return;
      const now = this.o.clock.now();
      if (now >= this.o.endMs + END_GRACE_MS) {
        this.endSchedule(now, true);
        return;
      }
      const sent = this.sendDue(now);
      if (this.over) return;
      if (sent === MAX_BATCH && this.next! <= now && !this.backlogged) {
        // More is due: let answers be read, then go on.
        this.cancelWakes();
        this.queueResume();
        return;
      }
      const sleepTo = this.wait(now);
      if (sleepTo === undefined) return;
      if (slept) {
        this.queueResume();
        return;
      }
      this.o.idleSleep!(sleepTo);
    }
  };

  /**
   * Arranges to be called at the next slot. Returns an instant to sleep to instead when
   * nothing is in flight and the slot is near. With exactly one request out (a target that
   * answers within the gap) it expects the answer to come first: it arms only a coarse timer
   * as a safety net, and the answer's resume() sleeps the rest of the gap. That keeps the
   * wake thread out of slow steady rates, where it would cost a second thread's wake-up per
   * slot. It does so only while answers rarely came after their next slot (MAX_MISS_RATE,
   * or no more often than the wake thread came late): each such miss sends that slot up to
   * ~1 ms late, so a target whose tail often reaches the next slot keeps its slots on the
   * wake thread when the thread keeps them better.
   */
  private wait(now: number): number | undefined {
    const next = this.next;
    if (next !== undefined && next > now && this.o.idleSleep && !this.grid) {
      const gap = next - now;
      if (this.table.size === 0 && gap <= IDLE_SLEEP_MS) {
        this.cancelWakes();
        return next;
      }
      if (gap <= 2 * IDLE_SLEEP_MS) {
        this.watch(next);
        if (this.table.size === 1 && this.missRate <= Math.max(MAX_MISS_RATE, this.wakeLateRate)) {
          this.cancelWakes();
          this.fallback = setTimeout(this.onFallback, Math.ceil(gap));
          return undefined;
        }
      }
    }
    this.armWakes(now);
    return undefined;
  }

  /**
   * Watches whether the requests out now are all answered before the next slot (within
   * MISS_TOLERANCE_MS), on every path (expected, or kept by the wake thread), so that a loop
   * which stopped expecting answers sees when they come in time again. A watch already
   * running goes on: each is judged once, by the last answer or by a turn past its deadline.
   */
  private watch(next: number): void {
    if (this.watching) return;
    this.watching = true;
    this.watchAnswers = this.sentCount;
    this.watchDeadline = next + MISS_TOLERANCE_MS;
  }

  private judged(missed: boolean): void {
    this.watching = false;
    this.missRate += ((missed ? 1 : 0) - this.missRate) / MISS_WINDOW;
  }

  private onFallback = (): void => {
    this.fallback = undefined;
    const now = this.o.clock.now();
    if (this.next !== undefined && this.next > now) {
      // Node's timers count from the loop's cached millisecond, so this can come up to ~1 ms
      // early: not a miss yet, the wake thread keeps the slot.
      this.armWakes(now);
      return;
    }
    this.tick();
  };

  private clearFallback(): void {
    clearTimeout(this.fallback);
    this.fallback = undefined;
  }

  private queueResume(): void {
    if (this.resumeQueued) return;
    this.resumeQueued = true;
    setImmediate(this.resume);
  }

  /**
   * An answer (or a late one, or a reconnect) freed a slot. While the loop is blocked on the
   * client's bound it has no wake-up armed, and this is what resumes it. Otherwise the next
   * wake-up sends what is due: sending from every answer would spread the writes out one by
   * one, and each lone write wakes the target and costs a system call (measured: +30% CPU
   * at 20k req/s for 0.06 ms less send lag).
   */
  private onSlotFree = (endMs?: number): void => {
    if (endMs !== undefined && ++this.answeredCount >= this.watchAnswers && this.watching)
      this.judged(endMs > this.watchDeadline);
    if (this.over || this.next === undefined || this.wakes.length > 0) return;
    // Resume once the answers of this turn of the event loop have all been read: the slots
    // they freed then go out together, not one write per answer (which under overload
    // costs the CPU that the sends need, and the achieved rate collapsed).
    this.queueResume();
  };

  private resumeQueued = false;
  private resume = (): void => {
    this.resumeQueued = false;
    if (this.over || this.wakes.length > 0) return;
    this.tick();
  };

  /** Sends every due slot the client can take; returns how many it sent. */
  private sendDue(now: number): number {
    if (this.sending) return 0; // a synchronous answer must not re-enter
    this.sending = true;
    const { recorder, transport, source } = this.o;
    let n = 0;
    let t = this.skipStaleWarmup(now);
    let dataEnded = false;
    let sentAt = now;
    while (t !== undefined && t <= now && n < MAX_BATCH) {
      if (this.table.size >= this.o.maxInFlight) {
        this.blockedBy = 'client_in_flight_limit';
        this.backlogged = true;
        break;
      }
      if (transport.available && transport.available() <= 0) {
        this.blockedBy = 'connections_busy';
        this.backlogged = true;
        break;
      }
      const row = nextRow(source);
      if (row === 'wait') {
        this.blockedBy = 'data_not_ready';
        this.backlogged = true;
        break;
      }
      if (row === 'end') {
        dataEnded = true;
        break;
      }
      const seq = this.seq;
      const kind = source?.picker?.pick(seq) ?? 0;
      recorder.scheduled(t);
      if (this.backlogged) recorder.backpressure(t, this.blockedBy, kind);
      this.seq += this.o.seqStep ?? 1;
      this.sentCount++;
      // Send lag is the generator's own delay: a slot that waited for the client's bound
      // has no lag of its own to report (its wait is backpressure, and in its latency).
      // The clock is read again every 32 sends (a batch takes ~1 µs a send), not per send.
      if ((n & 31) === 31) sentAt = this.o.clock.now();
      this.table.send(transport, seq, t, this.backlogged ? undefined : now, kind, row, sentAt);
      n++;
      t = this.advance();
    }
    this.sending = false;
    if (dataEnded) {
      // on_end: stop. What is left of the schedule is not sent, and the result says why.
      recorder.markDataExhausted();
      this.endSchedule(now, true);
    } else if (t === undefined) this.scheduleDone();
    else if (t > now) this.backlogged = false;
    return n;
  }

  /**
   * Warm-up slots still unsent when the measurement begins, and already more than
   * END_GRACE_MS late, are not sent: the measured window is spent on measured slots (a slot
   * merely a wake-up's lateness behind at the boundary still goes, so a run that keeps up
   * never drops one). Warm-up is decided by intended time, so under overload the loop would
   * otherwise spend the first seconds of the measurement clearing the warm-up's backlog
   * while the measured slots waited, and their achieved rate fell with the warm-up's length
   * instead of showing what the client carries (3x nginx's sustained rate, 1 s warm-up: 0
   * measured answers in the measurement's first 3 s, and 19k-47k req/s reported where 52k
   * were carried). They count as not sent in the warm-up's counters.
   */
  private skipStaleWarmup(now: number): number | undefined {
    const measureStart = this.o.recorder.measureStartMs;
    let t = this.next;
    if (t === undefined || t >= measureStart || now < measureStart) return t;
    const stale = Math.min(measureStart, now - END_GRACE_MS);
    for (; t !== undefined && t < stale; t = this.advance()) this.notSent(t, now);
    return t;
  }

  /** Counts slot `t` as never sent (and as backpressure if it waited for the client). */
  private notSent(t: number, now: number): void {
    const { recorder } = this.o;
    recorder.scheduled(t);
    if (this.backlogged && t <= now) recorder.backpressure(t, this.blockedBy);
    recorder.notSent(t);
  }

  private advance(): number | undefined {
    this.next = this.after;
    this.after = this.next === undefined ? undefined : this.o.schedule.next();
    return this.next;
  }

  /**
   * Keeps wake-ups armed for the next two send times, so the wake thread goes from one to
   * the next on its own. On the grid, consecutive ticks ask for the same instants, so a
   * wake-up is rarely cancelled and re-armed.
   */
  private armWakes(now: number): void {
    const next = this.next;
    if (next === undefined) return;
    if (next <= now) {
      this.cancelWakes(); // blocked by the client's bound: a freed slot resumes the loop
      return;
    }
    const w1 = this.wakeFor(next);
    // On the grid the next wake is the next grid point (the slot after `next` usually shares
    // w1's); off it, the next slot.
    const w2 =
      this.after === undefined ? Infinity : this.grid ? w1 + BATCH_MS : Math.max(this.after, w1);
    const two = w2 > w1 && w2 !== Infinity;
    let has1 = false;
    let has2 = false;
    for (let i = this.wakes.length - 1; i >= 0; i--) {
      const w = this.wakes[i]!;
      if (w.at > now && w.at === w1) has1 = true;
      else if (w.at > now && two && w.at === w2) has2 = true;
      else {
        w.h.cancel();
        this.wakes.splice(i, 1);
      }
    }
    if (!has1) this.addWake(w1);
    if (two && !has2) this.addWake(w2);
  }

  private addWake(at: number): void {
    const wake = { at, h: undefined as unknown as TimerHandle };
    wake.h = this.o.timers.add(at, () => {
      // This one is spent, whatever the clock says (the queue may keep another).
      const i = this.wakes.indexOf(wake);
      if (i >= 0) this.wakes.splice(i, 1);
      this.judgeWake();
      this.tick();
    });
    this.wakes.push(wake);
  }

  /**
   * How late the wake thread came for the slot it woke the loop for (off the grid). Only the
   * choice to expect answers (wait(), with idleSleep) reads it: without idleSleep (the
   * timerfd) it is not kept, and costs the hot path nothing.
   */
  private judgeWake(): void {
    if (this.grid || this.next === undefined || !this.o.idleSleep) return;
    const late = this.o.clock.now() - this.next > MISS_TOLERANCE_MS ? 1 : 0;
    this.wakeLateRate += (late - this.wakeLateRate) / MISS_WINDOW;
  }

  private wakeFor(t: number): number {
    return this.grid ? Math.ceil(t / BATCH_MS) * BATCH_MS : t;
  }

  private cancelWakes(): void {
    for (const w of this.wakes) w.h.cancel();
    this.wakes.length = 0;
  }

  private scheduleDone(): void {
    this.over = true;
    this.cancelWakes();
    this.clearFallback();
    this.cutoff?.cancel();
    this.drainDeadline = this.o.clock.now() + this.o.timeoutMs + 100;
    void this.drain();
  }

  /**
   * The schedule ends before every slot went out (the end came, or an interrupt): each slot
   * left is counted as not sent — at the end every one up to the schedule's end, on an
   * interrupt only those already due.
   */
  private endSchedule(now: number, toTheEnd: boolean): void {
    if (this.over) return;
    for (let t = this.next; t !== undefined; t = this.advance()) {
      if (!toTheEnd && t > now) break;
      this.notSent(t, now);
    }
    this.next = this.after = undefined;
    this.scheduleDone();
  }

  private draining = false;
  private drainDeadline = Infinity;
  /** Waits for answers until every request has ended or the deadline (which stop() may
   * shorten) passes; the timeout sweeper keeps running meanwhile. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    while (this.table.size > 0 && this.o.clock.now() < this.drainDeadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.table.finish();
    this.finished();
  }
}
