import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * The generator watches itself: event-loop delay (a blocked loop cannot keep a schedule),
 * CPU and RSS. Send lag is recorded per request by the recorder.
 */
const RESOLUTION_MS = 10;

export interface GeneratorHealth {
  event_loop_delay_p99_ms: number;
  cpu_pct: number;
  rss_mb: number;
}

export class GeneratorProbe {
  private readonly eld: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private cpu0 = process.cpuUsage();
  private t0 = performance.now();
  private rssPeak = 0;
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    this.eld.enable();
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
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
    };
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
