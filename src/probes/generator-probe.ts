import type { GeneratorHealth } from '../record/samples.js';
import { readFileSync } from 'node:fs';
import { sleptMs } from '../timing/idle-sleep.js';
export type { GeneratorHealth } from '../record/samples.js';
import {
  monitorEventLoopDelay,
  performance,
  type EventLoopUtilization,
  type IntervalHistogram,
} from 'node:perf_hooks';

/**
 * The generator watches itself: event-loop delay (a blocked loop cannot keep a schedule),
 * event-loop utilisation (a thread that is never idle is out of CPU, whatever else holds the
 * schedule back), CPU, the time it waited for a core (a thread that shares its core with the
 * target or other work is held back without looking busy) and RSS. Send lag is recorded per
 * request by the recorder.
 *
 * CPU, utilisation and loop delay cover the measured window, as the target's CPU and every
 * metric of the result do: the warm-up is there to absorb compiling and connecting (on a
 * 500 req/s run the warm-up's first second cost twice the CPU of a measured one), and what
 * the generator took from the target is read against the target's figures of the same
 * window. The RSS peak covers the whole run.
 */
// Each sample is a wake-up of the loop; 20 ms keeps them a small share of a slow run's cost.
const RESOLUTION_MS = 20;

/** What the probe reads off the process; injectable so the window arithmetic is testable. */
export interface ProbeSources {
  cpuUsage(): NodeJS.CpuUsage;
  now(): number;
  utilization(): EventLoopUtilization;
  sleptMs(): number;
  rss(): number;
  /** Nanoseconds this thread has waited, runnable, for a core; undefined where not known. */
  runQueueNs(): number | undefined;
}

/**
 * Linux's per-thread scheduler figures: time on a core, time runnable but waiting for one,
 * time slices. `thread-self` is the calling JS thread, so each worker reads its own.
 */
function runQueueNs(): number | undefined {
  try {
    const waited = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(waited) ? waited : undefined;
  } catch {
    return undefined;
  }
}

const processSources: ProbeSources = {
  cpuUsage: () => process.cpuUsage(),
  now: () => performance.now(),
  utilization: () => performance.eventLoopUtilization(),
  sleptMs,
  rss: () => process.memoryUsage.rss(),
  runQueueNs,
};

interface Mark {
  cpu: NodeJS.CpuUsage;
  atMs: number;
  elu: EventLoopUtilization;
  slept: number;
  queuedNs: number | undefined;
}

export class GeneratorProbe {
  private readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private from: Mark;
  private rssPeak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly src: ProbeSources = processSources) {
    this.from = this.mark();
  }

  private mark(): Mark {
    return {
      cpu: this.src.cpuUsage(),
      atMs: this.src.now(),
      elu: this.src.utilization(),
      slept: this.src.sleptMs(),
      queuedNs: this.src.runQueueNs(),
    };
  }

  /** The run starts (its warm-up, if any): until measuring() the window is the whole run. */
  start(): void {
    this.eld.enable();
    this.from = this.mark();
    this.timer = setInterval(() => this.sampleRss(), 1000);
    this.timer.unref();
  }

  /** The measured window begins: CPU, utilisation and loop delay count from here. */
  measuring(): void {
    this.eld.reset();
    this.from = this.mark();
  }

  private sampleRss(): void {
    const rss = this.src.rss();
    if (rss > this.rssPeak) this.rssPeak = rss;
  }

  stop(): GeneratorHealth {
    this.eld.disable();
    if (this.timer) clearInterval(this.timer);
    this.sampleRss();
    const to = this.mark();
    const cpu = to.cpu.user - this.from.cpu.user + (to.cpu.system - this.from.cpu.system);
    const wallMs = to.atMs - this.from.atMs;
    return {
      // The histogram holds the whole sampling interval; the delay is what exceeds it.
      event_loop_delay_p99_ms: round2(
        this.eld.count ? Math.max(0, this.eld.percentile(99) / 1e6 - RESOLUTION_MS) : 0,
      ),
      cpu_pct: round2((cpu / 1000 / Math.max(1, wallMs)) * 100),
      rss_mb: round2(this.rssPeak / (1024 * 1024)),
      event_loop_utilization: round2(this.utilization(to)),
      ...(to.queuedNs !== undefined && this.from.queuedNs !== undefined
        ? {
            cpu_wait_pct: round2(
              ((to.queuedNs - this.from.queuedNs) / 1e6 / Math.max(1, wallMs)) * 100,
            ),
          }
        : {}),
    };
  }

  /** Busy share of the loop, less the time it slept through gaps (sleepUntil): idle. */
  private utilization(to: Mark): number {
    const idle = to.elu.idle - this.from.elu.idle;
    const busy = to.elu.active - this.from.elu.active;
    const active = Math.max(0, busy - (to.slept - this.from.slept));
    return idle + busy > 0 ? active / (idle + busy) : 0;
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
