import type { TimerKind } from '../timing/timers.js';

/**
 * The per-agent part of a fleet result: what each agent ran and measured, how far its clock
 * was from the coordinator's, and for an agent that dropped out, when and why. Each row keeps
 * the agent's encoded latency histogram, so anyone can check that the merged result is the
 * exact union of the parts.
 */
export interface AgentRow {
  name: string;
  id: string;
  host: string;
  state: 'running' | 'done' | 'lost' | 'failed';
  shares: number[];
  clock_offset_ms: number | null;
  clock_rtt_ms: number | null;
  /** Seconds after the end of warm-up (negative: during warm-up). */
  last_heard_s?: number;
  lost_at_s?: number;
  reason?: string;
  /** A lost or failed agent's last live counts (warm-up included): its results never came. */
  last_live?: { ok: number; errors: number; timeouts: number };
  requests: number;
  ok: number;
  errors_total: number;
  rps: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  generator: {
    send_lag_p99_ms: number | null;
    event_loop_delay_p99_ms: number;
    cpu_pct: number;
    rss_mb: number;
    /** Absent from older agents (and off Linux for cpu_wait_pct). */
    cpu_wait_pct?: number;
    timer?: TimerKind;
  } | null;
  histograms: { latency: string } | null;
}
