import { decode, summarize } from '../record/histogram.js';
import { mergeSnapshots } from '../record/merge.js';
import { maxCpuWait } from '../record/samples.js';
import type { AgentOutcome } from './fleet-run.js';
import type { AgentRow } from '../result/agent-row.js';

export type { AgentRow } from '../result/agent-row.js';

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

export function agentRows(
  outcomes: readonly AgentOutcome[],
  measureStartMs: number,
  measuredMs: number,
): AgentRow[] {
  const rel = (t: number | undefined): number | undefined =>
    t === undefined ? undefined : r3((t - measureStartMs) / 1000);
  return outcomes.map((o) => {
    const snap = o.results.length ? mergeSnapshots(o.results.map((r) => r.snapshot)) : undefined;
    const lat = snap ? summarize(decode(snap.histograms.latency)) : undefined;
    const lag = snap ? summarize(decode(snap.histograms.send_lag)) : undefined;
    const c = snap?.counters;
    const h = o.results.map((r) => r.health);
    const wait = maxCpuWait(h);
    return {
      name: o.info.name,
      id: o.info.id,
      host: o.info.host,
      state: o.state,
      shares: o.shares,
      clock_offset_ms: o.clock ? r3(o.clock.offsetMs) : null,
      clock_rtt_ms: o.clock ? r3(o.clock.rttMs) : null,
      ...(o.state !== 'done' && o.lastHeardMs !== undefined
        ? { last_heard_s: rel(o.lastHeardMs) }
        : {}),
      ...(o.lostAtMs !== undefined ? { lost_at_s: rel(o.lostAtMs) } : {}),
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
      ...(o.state !== 'done' && o.lastLive
        ? {
            last_live: {
              ok: o.lastLive.ok,
              errors: o.lastLive.errors,
              timeouts: o.lastLive.timeouts,
            },
          }
        : {}),
      requests: c?.sent ?? 0,
      ok: c?.ok ?? 0,
      errors_total: c ? c.errors + c.timeouts : 0,
      rps: c ? r3((c.ok + c.errors) / Math.max(measuredMs / 1000, 1e-3)) : 0,
      latency_p50_ms: lat?.p50_ms ?? null,
      latency_p99_ms: lat?.p99_ms ?? null,
      generator: h.length
        ? {
            send_lag_p99_ms: lag?.p99_ms ?? null,
            event_loop_delay_p99_ms: Math.max(...h.map((x) => x.event_loop_delay_p99_ms)),
            cpu_pct: Math.max(...h.map((x) => x.cpu_pct)),
            rss_mb: Math.max(...h.map((x) => x.rss_mb)),
            ...(wait !== undefined ? { cpu_wait_pct: wait } : {}),
            ...(h[0]!.timer ? { timer: h[0]!.timer } : {}),
          }
        : null,
      histograms: snap ? { latency: snap.histograms.latency } : null,
    };
  });
}
