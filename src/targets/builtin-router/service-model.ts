import { mulberry32 } from '../../schedule/arrivals.js';
import type { TimerHandle, TimerQueue } from '../../timing/timer-queue.js';
import { preciseTimers } from '../../timing/timers.js';
import { Fifo } from '../../util/fifo.js';
import type { Clock } from '../../timing/clock.js';
import type { RouterKnobs } from './knobs.js';

/**
 * A queueing model with a real capacity: `workers` servers, each busy for a sampled service
 * time per request, a bounded wait queue, injected errors, stalls and a leak. Capacity is
 * workers / mean service time, which is what the capacity sweep is checked against.
 */
export type ServiceOutcome = 'ok' | 'error' | 'overloaded';

/** The most timer lateness a freed worker is credited with (see next()). */
const LATENESS_CREDIT_MS = 2;

export interface ServiceStats {
  inService: number;
  queued: number;
  served: number;
  rejected: number;
  errors: number;
  retainedBytes: number;
}

export class ServiceModel {
  private readonly rng: () => number;
  /** Service-time timers of requests in service, cancelled on close. */
  private readonly pendingTimers = new Set<TimerHandle>();
  private readonly waiting = new Fifo<(o: ServiceOutcome) => void>();
  private readonly retained: Buffer[] = [];
  private stallTimer: NodeJS.Timeout | undefined;
  readonly stats: ServiceStats = {
    inService: 0,
    queued: 0,
    served: 0,
    rejected: 0,
    errors: 0,
    retainedBytes: 0,
  };

  constructor(
    private readonly k: RouterKnobs,
    private readonly clock: Clock,
    private readonly timers: TimerQueue = preciseTimers(),
  ) {
    this.rng = mulberry32(k.seed);
  }

  submit(done: (o: ServiceOutcome) => void): void {
    if (this.k.memGrowthBytes > 0) {
      // alloc (not allocUnsafe) touches the pages, so the leak shows in RSS at once.
      this.retained.push(Buffer.alloc(this.k.memGrowthBytes, 1));
      this.stats.retainedBytes += this.k.memGrowthBytes;
    }
    if (this.k.workers === 0 || this.stats.inService < this.k.workers) {
      this.serve(done);
      return;
    }
    if (this.stats.queued >= this.k.queueLimit) {
      this.stats.rejected++;
      done('overloaded');
      return;
    }
    this.stats.queued++;
    this.waiting.push(done);
  }

  /** `startMs`: when the worker took the request (a queued one: when the worker was free). */
  private serve(done: (o: ServiceOutcome) => void, startMs = this.clock.now()): void {
    this.stats.inService++;
    const ms = this.sampleServiceMs();
    const dueMs = startMs + ms;
    const finish = (): void => {
      this.stats.inService--;
      this.stats.served++;
      const failed = this.k.errorRate > 0 && this.rng() < this.k.errorRate;
      if (failed) this.stats.errors++;
      done(failed ? 'error' : 'ok');
      this.next(dueMs);
    };
    if (ms <= 0) queueMicrotask(finish);
    else {
      const h = this.timers.add(dueMs, () => {
        this.pendingTimers.delete(h);
        finish();
      });
      this.pendingTimers.add(h);
    }
  }

  /**
   * A worker freed at `freeMs` takes the next waiting request from then, not from when its
   * timer fired: timer lateness (~0.1-0.2 ms a wake here) would otherwise stretch every
   * service time and hold the capacity below workers / service time (4 x 5 ms served ~725
   * req/s instead of 800). At most LATENESS_CREDIT_MS is credited, so a stalled event loop
   * still delays what waits behind it, as a real stop-the-world pause does.
   */
  private next(freeMs: number): void {
    const startMs = Math.max(freeMs, this.clock.now() - LATENESS_CREDIT_MS);
    while (
      this.waiting.size > 0 &&
      (this.k.workers === 0 || this.stats.inService < this.k.workers)
    ) {
      this.stats.queued--;
      this.serve(this.waiting.shift()!, startMs);
    }
  }

  sampleServiceMs(): number {
    const mean = this.k.serviceTimeMs;
    if (mean <= 0) return 0;
    switch (this.k.serviceDist) {
      case 'fixed':
        return mean;
      case 'uniform':
        return mean * (0.5 + this.rng());
      case 'exp':
        return -Math.log(1 - this.rng()) * mean;
      case 'lognormal': {
        // sigma 0.5, mu chosen so the mean is `mean`.
        const sigma = 0.5;
        const z = Math.sqrt(-2 * Math.log(1 - this.rng())) * Math.cos(2 * Math.PI * this.rng());
        return mean * Math.exp(sigma * z - (sigma * sigma) / 2);
      }
    }
  }

  /** Periodic stalls block the whole event loop, like a stop-the-world pause. */
  startStalls(originMs: number): void {
    const { stallEveryMs: every, stallForMs: length } = this.k;
    if (every <= 0 || length <= 0) return;
    const arm = (): void => {
      const now = this.clock.now();
      const nextStart = originMs + Math.ceil((now - originMs) / every) * every;
      this.stallTimer = setTimeout(
        () => {
          const end = nextStart + length;
          while (this.clock.now() < end) {
            /* blocked on purpose */
          }
          arm();
        },
        Math.max(0, nextStart - now),
      );
      this.stallTimer.unref();
    };
    arm();
  }

  close(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    for (const h of this.pendingTimers) h.cancel();
    this.pendingTimers.clear();
  }
}
