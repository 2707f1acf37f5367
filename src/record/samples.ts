import type { TimerKind } from '../timing/timers.js';
/**
 * What probes measure, as plain data: produced by the probes (I/O), consumed by the pure
 * result builder, so the types live below both.
 */

/** One target probe sample. */
export interface ProbeSample {
  /** Epoch ms. */
  atMs: number;
  memMb: number;
  /** CPU since the previous sample, in % of one core. */
  cpuPct?: number;
  extra?: Record<string, number>;
}

/** One generator thread's self-probe over a run. */
export interface GeneratorHealth {
  event_loop_delay_p99_ms: number;
  cpu_pct: number;
  rss_mb: number;
  /** Share of the time this thread's event loop was busy (0..1); absent from older agents. */
  event_loop_utilization?: number;
  /**
   * % of the window this thread was ready to run but waited for a core (Linux schedstat);
   * absent elsewhere and from older agents.
   */
  cpu_wait_pct?: number;
  /** What kept this thread's send times; absent from older agents. */
  timer?: TimerKind;
}

/** The longest wait for a core of any thread (the one that was held back most); undefined
 * when no thread could read it. */
export function maxCpuWait(health: readonly GeneratorHealth[]): number | undefined {
  const waits = health.flatMap((h) => (h.cpu_wait_pct === undefined ? [] : [h.cpu_wait_pct]));
  return waits.length ? Math.max(...waits) : undefined;
}
