import { decode } from '../record/histogram.js';
import type { BenchResult, GeneratorSection } from '../result/result.js';
import type { TimerKind } from '../timing/timers.js';

/** A wait for a core worth a reader's attention; below it the figure stays in the JSON. */
const CPU_WAIT_SHOWN_PCT = 5;

/** The generator's CPU as reports say it, with its wait for a core if large. */
export function generatorCpuText(g: Pick<GeneratorSection, 'cpu_pct' | 'cpu_wait_pct'>): string {
  const wait = g.cpu_wait_pct ?? 0;
  return `cpu ${g.cpu_pct}%${wait >= CPU_WAIT_SHOWN_PCT ? ` (waited for a core ${wait}%)` : ''}`;
}

/**
 * Send lag as reports say it. Lag is the dispatch loop's own lateness; a request that waited
 * for a connection or the in-flight bound has backpressure instead. When every request sent
 * waited so, there is no lag to show, and "0 ms" would read as "on time".
 */
export function sendLagText(r: Pick<BenchResult, 'generator' | 'histograms' | 'counters'>): string {
  const noLag =
    r.counters.sent > 0 &&
    r.generator.send_lag_p99_ms === 0 &&
    decode(r.histograms.send_lag).totalCount === 0;
  if (noLag) return "send lag p99 n/a (every request waited for the client's bound)";
  return `send lag p99 ${r.generator.send_lag_p99_ms} ms`;
}

/** "send lag …, loop delay …, cpu …": the generator's health in one line of a report. */
export function generatorHealthText(r: BenchResult): string {
  const g = r.generator;
  return `${sendLagText(r)}, loop delay p99 ${g.event_loop_delay_p99_ms} ms, ${generatorCpuText(g)}`;
}

/** The timer's name as reports say it ("wake thread", "timerfd"). */
export const timerText = (t: TimerKind): string => t.replace('_', ' ');
