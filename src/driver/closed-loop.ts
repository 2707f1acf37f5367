import type { Recorder } from '../record/recorder.js';
import type { Transport } from '../transports/transport.js';
import type { Clock } from '../timing/clock.js';
import { InFlightTable } from './in-flight.js';
import { nextRow, type RequestSource } from './request-source.js';

/**
 * Closed loop (`--concurrency N`): N virtual users each send the next request when the
 * previous one ends. It measures how much the target can take, not latency at a given
 * load: intended time equals actual send time, so coordinated omission is NOT corrected.
 */
export interface ClosedLoopOptions {
  transport: Transport;
  recorder: Recorder;
  clock: Clock;
  concurrency: number;
  timeoutMs: number;
  startMs: number;
  endMs: number;
  seqStart?: number;
  seqStep?: number;
  /** Request kinds (a mix) and data rows (a feeder). */
  source?: RequestSource;
}

export class ClosedLoopDriver {
  private readonly table: InFlightTable;
  private seq: number;
  private stopping = false;
  private finished!: () => void;
  private waitTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ClosedLoopOptions) {
    this.seq = o.seqStart ?? 0;
    this.table = new InFlightTable(o.recorder, o.clock, o.timeoutMs, () => this.refill());
    o.source?.feeder?.setRowsListener(() => this.refill());
  }

  get inFlight(): number {
    return this.table.size;
  }

  run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.table.start();
    const startIn = Math.max(0, this.o.startMs - this.o.clock.now());
    this.waitTimer = setTimeout(() => {
      this.refill();
      this.waitTimer = setTimeout(
        () => this.stop(this.o.timeoutMs + 100),
        this.o.endMs - this.o.clock.now(),
      );
    }, startIn);
    return done;
  }

  stop(graceMs = 1000): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    const deadline = this.o.clock.now() + graceMs;
    const poll = (): void => {
      if (this.table.size > 0 && this.o.clock.now() < deadline) {
        setTimeout(poll, 5);
        return;
      }
      this.table.finish();
      this.finished();
    };
    poll();
  }

  private refilling = false;
  private refill(): void {
    // Answers can arrive synchronously (e.g. an immediate socket error): never recurse.
    if (this.refilling) return;
    this.refilling = true;
    while (!this.stopping && this.table.size < this.o.concurrency) {
      const now = this.o.clock.now();
      if (now >= this.o.endMs) break;
      const row = nextRow(this.o.source);
      if (row === 'wait') break; // the feeder calls back when rows arrive
      if (row === 'end') {
        // on_end: stop: the users finish what they have on the wire, then the run ends.
        this.o.recorder.markDataExhausted();
        this.refilling = false;
        this.stop(this.o.timeoutMs + 100);
        return;
      }
      this.o.recorder.scheduled(now);
      const seq = this.seq;
      this.seq += this.o.seqStep ?? 1;
      const kind = this.o.source?.picker?.pick(seq) ?? 0;
      this.table.send(this.o.transport, seq, now, now, kind, row);
    }
    this.refilling = false;
  }
}
