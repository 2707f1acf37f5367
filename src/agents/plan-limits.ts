import type { ShardPlan } from '../driver/shard.js';
import { peakRate } from '../schedule/profile.js';

/**
 * An agent's own ceiling on what it will run, whoever asks: a fleet with credentials can
 * still be asked for a rate or a length its operators never meant (a typo'd extra zero, a
 * soak left running). Checked before anything connects.
 */
export interface PlanLimits {
  /** Requests per second this agent sends at most (its shares together). */
  maxRate?: number;
  /** Warm-up plus measurement, at most. */
  maxDurationMs?: number;
}

/** Why the plan exceeds the limits, or undefined when it does not. */
export function exceedsLimits(shards: readonly ShardPlan[], l: PlanLimits): string | undefined {
  const first = shards[0];
  if (!first) return undefined;
  const lengthMs = first.warmupMs + first.durationMs;
  if (l.maxDurationMs !== undefined && lengthMs > l.maxDurationMs)
    return `the plan runs ${lengthMs / 1000} s, more than this agent's --max-duration of ${l.maxDurationMs / 1000} s`;
  const rate = agentRate(shards);
  if (l.maxRate !== undefined && rate > l.maxRate)
    return `the plan asks this agent for ${Math.round(rate)} req/s, more than its --max-rate of ${l.maxRate}`;
  return undefined;
}

/** The rate an agent's shares add up to (each share is rate / count of the whole). */
export function agentRate(shards: readonly ShardPlan[]): number {
  // With stages, the peak: an agent's limit bounds the most it is ever asked to send.
  return shards.reduce(
    (sum, s) => sum + (s.profile ? peakRate(s.profile) : (s.rate ?? 0)) / s.share.count,
    0,
  );
}
