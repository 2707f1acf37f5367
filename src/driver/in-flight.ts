import type { Outcome, Recorder } from '../record/recorder.js';
import { TIMEOUT } from '../transports/classify.js';
import type { Transport } from '../transports/transport.js';
import type { DataRow } from '../transports/template.js';
import type { Clock } from '../timing/clock.js';
import { Fifo } from '../util/fifo.js';

interface Entry {
  intendedMs: number;
  sentMs: number;
  /** Its kind in the request mix (0 without one). */
  kind: number;
  ended: boolean;
  cancel: (() => void) | undefined;
}

/**
 * Requests on the wire. One sweeper enforces the per-request timeout for all of them (a
 * timer per request would cost more than the request at 20k req/s): entries are kept in
 * send order, and with one fixed timeout that is also deadline order.
 */
export class InFlightTable {
  private readonly queue = new Fifo<Entry>();
  private count = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly recorder: Recorder,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** A request ended at `endMs` (its answer, an error or its timeout). */
    private readonly onSlotFree: (endMs: number) => void,
  ) {}

  get size(): number {
    return this.count;
  }

  start(): void {
    const every = Math.max(5, Math.min(50, this.timeoutMs / 4));
    this.sweeper = setInterval(() => this.sweep(), every);
  }

  /**
   * `dispatchedMs`: when the loop reached the slot; undefined when it waited for the bound.
   * `now`: the clock as the caller last read it (a loop sending a batch reads it every few
   * sends: at 400k msg/s one read per request was 5% of the CPU).
   */
  send(
    transport: Transport,
    seq: number,
    intendedMs: number,
    dispatchedMs: number | undefined,
    kind = 0,
    row?: DataRow,
    now = this.clock.now(),
  ): void {
    const entry: Entry = { intendedMs, sentMs: now, kind, ended: false, cancel: undefined };
    this.count++;
    this.queue.push(entry);
    this.recorder.sent(intendedMs, dispatchedMs, now, kind);
    entry.cancel = transport.send(
      seq,
      (outcome, endMs) => this.end(entry, outcome, endMs),
      kind,
      row,
    );
  }

  private end(entry: Entry, outcome: Outcome, endMs?: number): void {
    if (entry.ended) return; // a late answer after its timeout was already counted
    entry.ended = true;
    // Drop the transport's request graph now; the entry itself waits for the next sweep.
    entry.cancel = undefined;
    this.count--;
    // Answers mostly come in send order: drop ended entries from the head now, so they die
    // young instead of waiting for the sweep (at 250k msg/s that wait kept ~12k of them alive
    // across collections, and the old-generation pauses showed up as send lag).
    for (let e = this.queue.peek(); e?.ended; e = this.queue.peek()) this.queue.shift();
    const now = endMs ?? this.clock.now();
    this.recorder.completed(entry.intendedMs, entry.sentMs, now, outcome, entry.kind);
    this.onSlotFree(now);
  }

  private sweep(): void {
    const now = this.clock.now();
    this.recorder.inFlightGauge(now, this.count);
    for (let e = this.queue.peek(); e; e = this.queue.peek()) {
      if (e.ended) {
        this.queue.shift();
        continue;
      }
      if (e.sentMs + this.timeoutMs > now) break;
      e.cancel?.();
      this.end(e, TIMEOUT); // which drops it (and the ended ones after it) from the head
    }
  }

  /** End of run: whatever is still out is reported as in flight at the end, not dropped. */
  finish(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (let e = this.queue.shift(); e; e = this.queue.shift()) {
      if (e.ended) continue;
      e.ended = true;
      e.cancel?.();
      this.count--;
      this.recorder.inFlightAtEnd(e.intendedMs);
    }
  }
}
