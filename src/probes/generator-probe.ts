import type { GeneratorHealth } from '../record/samples.js';
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
 * schedule back), CPU and RSS. Send lag is recorded per request by the recorder.
 */
// Each sample is a wake-up of the loop; 20 ms keeps them a small share of a slow run's cost.
const RESOLUTION_MS = 20;

export class GeneratorProbe {
  private readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private cpu0 = process.cpuUsage();
  private t0 = performance.now();
  private rssPeak = 0;
  private elu0: EventLoopUtilization = performance.eventLoopUtilization();
  private slept0 = sleptMs();
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    this.eld.enable();
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
    this.elu0 = performance.eventLoopUtilization();
    this.slept0 = sleptMs();
    this.timer = setInterval(() => this.sampleRss(), 1000);
    this.timer.unref();
  }

  private sampleRss(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.rssPeak) this.rssPeak = rss;
  }

  stop(): GeneratorHealth {
    this.eld.disable();
    if (this.timer) clearInterval(this.timer);
    this.sampleRss();
    const cpu = process.cpuUsage(this.cpu0);
    const wallMs = performance.now() - this.t0;
    return {
      // The histogram holds the whole sampling interval; the delay is what exceeds it.
      event_loop_delay_p99_ms: round2(
        this.eld.count ? Math.max(0, this.eld.percentile(99) / 1e6 - RESOLUTION_MS) : 0,
      ),
      cpu_pct: round2(((cpu.user + cpu.system) / 1000 / Math.max(1, wallMs)) * 100),
      rss_mb: round2(this.rssPeak / (1024 * 1024)),
      event_loop_utilization: round2(this.utilization()),
    };
  }

  /** Busy share of the loop, less the time it slept through gaps (sleepUntil): idle. */
  private utilization(): number {
    const e = performance.eventLoopUtilization(this.elu0);
    const total = e.idle + e.active;
    const active = Math.max(0, e.active - (sleptMs() - this.slept0));
    return total > 0 ? active / total : 0;
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
