import type { Recorder } from '../record/recorder.js';
import type { Transport } from '../transports/transport.js';
import type { Schedule } from '../schedule/arrivals.js';
import { wakeAt, type Clock } from '../util/wake-scheduler.js';
import { InFlightTable } from './in-flight.js';
import { Fifo } from '../util/fifo.js';

/**
 * The open-loop dispatch loop: sends each request at its intended time whatever the target
 * does, so a slow target shows up as latency (measured from the intended time) instead of
 * as a quietly lower request rate. When the client-side in-flight bound is hit the request
 * waits, counted as backpressure, and the wait stays in its latency.
 */
export interface OpenLoopOptions {
  transport: Transport;
  schedule: Schedule;
  recorder: Recorder;
  clock: Clock;
  maxInFlight: number;
  timeoutMs: number;
  /** First request number of this share (keeps request ids unique across threads). */
  seqStart?: number;
  seqStep?: number;
}

/** At most this many sends per turn of the event loop, so responses are read in between. */
const MAX_BATCH = 256;

export class OpenLoopDriver {
  private readonly table: InFlightTable;
  /** Requests due but held back by the in-flight bound, oldest first. */
  private readonly pending = new Fifo<{ intendedMs: number; dispatchedMs: number }>();
  private nextIntended: number | undefined;
  private seq: number;
  private cancelWake: (() => void) | undefined;
  private stopping = false;
  private finished!: () => void;

  constructor(private readonly o: OpenLoopOptions) {
    this.seq = o.seqStart ?? 0;
    this.table = new InFlightTable(o.recorder, o.clock, o.timeoutMs, () => this.pump());
  }

  get inFlight(): number {
    return this.table.size;
  }

  /** Resolves when the schedule is done and every request has ended or the drain expired. */
  run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.table.start();
    this.nextIntended = this.o.schedule.next();
    this.tick();
    return done;
  }

  /** Interrupt: stop issuing now, give in-flight requests a short grace, then finish. */
  stop(graceMs = 1000): void {
    if (this.stopping) return;
    this.stopping = true;
    this.cancelWake?.();
    this.nextIntended = undefined;
    this.dropPending();
    this.drainDeadline = Math.min(this.drainDeadline, this.o.clock.now() + graceMs);
    void this.drain();
  }

  private tick = (): void => {
    this.cancelWake = undefined;
    if (this.stopping) return;
    const { clock, recorder } = this.o;
    let batch = 0;
    let t = this.nextIntended;
    while (t !== undefined && batch < MAX_BATCH) {
      const now = clock.now();
      if (t > now) break;
      recorder.scheduled(t);
      if (this.table.size < this.o.maxInFlight && this.pending.size === 0) {
        this.send(t, now);
      } else {
        recorder.backpressure(t, 'client_in_flight_limit');
        this.pending.push({ intendedMs: t, dispatchedMs: now });
      }
      batch++;
      t = this.o.schedule.next();
    }
    this.nextIntended = t;
    if (t === undefined) {
      this.drainDeadline = this.o.clock.now() + this.o.timeoutMs + 100;
      void this.drain();
    } else if (batch === MAX_BATCH) {
      setImmediate(this.tick);
    } else {
      this.cancelWake = wakeAt(clock, t, this.tick);
    }
  };

  private send(intendedMs: number, dispatchedMs: number): void {
    const seq = this.seq;
    this.seq += this.o.seqStep ?? 1;
    this.table.send(this.o.transport, seq, intendedMs, dispatchedMs);
  }

  /** A slot freed up: send the oldest request that was waiting for one. */
  private pump(): void {
    while (this.pending.size > 0 && this.table.size < this.o.maxInFlight) {
      const p = this.pending.shift()!;
      this.send(p.intendedMs, p.dispatchedMs);
    }
  }

  private dropPending(): void {
    for (let p = this.pending.shift(); p; p = this.pending.shift())
      this.o.recorder.notSent(p.intendedMs);
  }

  private draining = false;
  private drainDeadline = Infinity;
  /** Waits for answers until every request has ended or the deadline (which stop() may
   * shorten) passes; the timeout sweeper keeps running meanwhile. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    while (
      (this.table.size > 0 || this.pending.size > 0) &&
      this.o.clock.now() < this.drainDeadline
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
    this.dropPending();
    this.table.finish();
    this.finished();
  }
}
