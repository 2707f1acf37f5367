import type { LiveStats } from '../driver/shard.js';
import { limitLine, type BenchResult } from '../result/result.js';
import { generatorCpuText, generatorHealthText, timerText } from './generator-text.js';
import { kindTableText } from './kind-table.js';

/**
 * What a person watching sees: a live line rewritten in place on a TTY, one plain line
 * every few seconds otherwise (CI logs), and a summary table at the end.
 */
export interface ProgressView {
  elapsedMs: number;
  totalMs: number;
  warmupMs: number;
  live: LiveStats;
  rateLastSec: number;
}

export function progressLine(v: ProgressView): string {
  const phase = v.elapsedMs < v.warmupMs ? 'warm-up' : 'measure';
  const remaining = Math.max(0, (v.totalMs - v.elapsedMs) / 1000);
  return (
    `[${phase}] ${(v.elapsedMs / 1000).toFixed(0)}s elapsed, ${remaining.toFixed(0)}s left | ` +
    `${v.rateLastSec.toFixed(0)} req/s | p99 ${v.live.p99Ms.toFixed(2)} ms | ` +
    `errors ${v.live.errors + v.live.timeouts} | in flight ${v.live.inFlight}`
  );
}

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private lastDone = 0;
  private lastAt = 0;
  private ticks = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly source: () => LiveStats,
    private readonly startMs: number,
    private readonly warmupMs: number,
    private readonly totalMs: number,
    private readonly quiet: boolean,
  ) {}

  start(): void {
    if (this.quiet) return;
    this.lastAt = Date.now();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  private tick(): void {
    const live = this.source();
    const now = Date.now();
    const done = live.ok + live.errors + live.timeouts;
    const rate = ((done - this.lastDone) * 1000) / Math.max(1, now - this.lastAt);
    this.lastDone = done;
    this.lastAt = now;
    const line = progressLine({
      elapsedMs: now - this.startMs,
      totalMs: this.totalMs,
      warmupMs: this.warmupMs,
      live,
      rateLastSec: rate,
    });
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}`);
    else if (this.ticks++ % 5 === 0) this.out.write(`${line}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (!this.quiet && this.out.isTTY) this.out.write('\r\x1b[2K');
  }
}

export function summaryTable(r: BenchResult): string {
  const m = r.metrics;
  const c = r.counters;
  const rows: [string, string][] = [
    ['target', r.target.url],
    [
      'mode',
      r.run.mode === 'open'
        ? `open loop, ${r.scenario.arrival} arrivals`
        : r.run.mode === 'consume'
          ? 'JetStream consume (rate as delivered, latency from each message publish time)'
          : 'closed loop (latency not CO-corrected)',
    ],
    [
      'duration',
      `${r.run.duration_s}s measured after ${r.run.warmup_s}s warm-up${r.run.interrupted ? ' (INTERRUPTED)' : ''}`,
    ],
    [
      'rate',
      `${m.rps} req/s achieved${m.target_rps !== null ? ` of ${m.target_rps} offered` : ''}`,
    ],
    ['requests', `${c.scheduled} scheduled = ${c.sent} sent + ${c.not_sent} not sent`],
    [
      'outcomes',
      `${c.ok} ok, ${c.errors} errors, ${c.timeouts} timeouts, ${c.in_flight_at_end} in flight at end`,
    ],
    [
      'latency (ms)',
      `p50 ${m.latency_p50_ms}  p90 ${m.latency_p90_ms}  p99 ${m.latency_p99_ms}  p99.9 ${m.latency_p999_ms}  max ${m.latency_max_ms}`,
    ],
    [
      'service time (ms)',
      `p50 ${r.service_time.p50_ms}  p99 ${r.service_time.p99_ms}  max ${r.service_time.max_ms}`,
    ],
    ['error rate', `${(m.error_rate * 100).toFixed(3)}%${fmtMap(r.errors_by_class)}`],
    ['backpressure', `${m.backpressure_total}${fmtMap(r.backpressure_by_kind)}`],
  ];
  if (m.mem_mb !== undefined) {
    rows.push([
      'target',
      `mem ${m.mem_mb} MB peak, growth ${m.mem_growth_mb_per_min ?? '-'} MB/min, cpu ${m.cpu_pct ?? '-'}%`,
    ]);
  }
  const t = r.memory_trend;
  if (t) {
    rows.push([
      'memory trend',
      `${t.slope_mb_per_min} MB/min (95% ${t.ci95_mb_per_min[0]}..${t.ci95_mb_per_min[1]}, Theil-Sen ${t.theil_sen_mb_per_min}) ${t.leak_suspected ? `LEAK SUSPECTED (> ${t.threshold_mb_per_min} MB/min)` : `no leak above ${t.threshold_mb_per_min} MB/min`}`,
    ]);
  }
  const g = r.generator;
  rows.push([
    'generator',
    `${g.saturated ? 'SATURATED' : 'ok'}: ${generatorHealthText(r)}, rss ${g.rss_mb} MB, ${g.threads} thread(s)${g.timer ? `, ${timerText(g.timer)}` : ''}${r.agents ? ` on ${r.agents.length} agent(s)` : ''}`,
  ]);
  for (const reason of g.reasons) rows.push(['', reason]);
  const limit = limitLine(g);
  if (limit) rows.push(['limit', limit]);
  else if (g.limit === 'none' && g.limit_reason) rows.push(['note', g.limit_reason]);
  if (r.run.partial) rows.push(['PARTIAL', 'agents were lost: less load was offered than asked']);
  for (const a of r.agents ?? []) {
    rows.push([
      `agent ${a.name}`,
      a.state === 'done'
        ? `${a.requests} sent, ${a.rps} req/s, p99 ${a.latency_p99_ms} ms, clock offset ${a.clock_offset_ms} ms (rtt ${a.clock_rtt_ms} ms), send lag p99 ${a.generator?.send_lag_p99_ms} ms${a.generator?.timer ? ` (${timerText(a.generator.timer)})` : ''}${a.generator ? `, ${generatorCpuText(a.generator)}` : ''}`
        : `${a.state.toUpperCase()}${a.lost_at_s !== undefined ? ` at ${a.lost_at_s}s` : ''}: ${a.reason ?? ''}${a.last_live ? ` (last reported ${a.last_live.ok} ok, ${a.last_live.errors} errors; not in the totals)` : ''}`,
    ]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  const table = rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
  const kinds = kindTableText(r);
  return kinds ? `${table}\n\n  by kind\n${kinds}` : table;
}

function fmtMap(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length ? ` (${e.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
}
