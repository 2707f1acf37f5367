import { firstRefused, formatAddress, targetAddresses, type parsePattern } from './allowlist.js';
import { agentRate, exceedsLimits, type PlanLimits } from './plan-limits.js';
import { PROTOCOL_VERSION, fromJson, type AgentPlan, type AgentRefusalCode } from './protocol.js';

/**
 * An agent's first phase with a plan, pure: is it a plan this agent can read, is the agent
 * free, is it within the agent's limits, and is every target it names allowed. The agent's
 * safety is decided here, by the agent, whatever the coordinator says.
 */
export interface PlanCheckContext {
  name: string;
  allow: string[];
  patterns: ReturnType<typeof parsePattern>[];
  limits: PlanLimits;
  /** The run this agent is running or preparing, if any. */
  busyWith: string | undefined;
}

export type PlanCheck = { plan: AgentPlan } | { code: AgentRefusalCode; message: string };

export function checkPlan(data: Uint8Array, c: PlanCheckContext): PlanCheck {
  let plan: AgentPlan;
  try {
    plan = fromJson<AgentPlan>(data);
  } catch {
    return { code: 'E_AGENT_PLAN', message: 'the plan is not valid JSON' };
  }
  if (plan.v !== PROTOCOL_VERSION || !Array.isArray(plan.shards) || !plan.shards.length)
    return { code: 'E_AGENT_PLAN', message: `unsupported plan (protocol ${String(plan.v)})` };
  if (c.busyWith)
    return { code: 'E_AGENT_BUSY', message: `agent ${c.name} is busy with run ${c.busyWith}` };
  const tooMuch = exceedsLimits(plan.shards, c.limits);
  if (tooMuch) return { code: 'E_PLAN_LIMIT', message: tooMuch };
  for (const s of plan.shards) {
    const bad = firstRefused(c.patterns, s.transport);
    if (bad)
      return {
        code: 'E_TARGET_NOT_ALLOWED',
        message: `target ${formatAddress(bad)} is not in agent ${c.name}'s allowlist (${c.allow.join(', ')})`,
      };
  }
  return { plan };
}

/** The audit line's middle: targets, load and length (no secrets). */
export function planSummary(plan: AgentPlan): string {
  const first = plan.shards[0]!;
  const targets = [
    ...new Set(plan.shards.flatMap((s) => targetAddresses(s.transport).map(formatAddress))),
  ].join(',');
  const load =
    first.rate !== undefined
      ? `${Math.round(agentRate(plan.shards))} req/s`
      : `concurrency ${plan.shards.reduce((n, s) => n + (s.concurrency ?? 0), 0)}`;
  return `${targets} at ${load} for ${(first.warmupMs + first.durationMs) / 1000} s`;
}
