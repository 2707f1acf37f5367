import { join } from 'node:path';
import { ToolError } from '../errors.js';
import type { Side } from '../gate/compare.js';
import { resolveScenario } from '../scenario/resolve.js';
import { resultOnly, type Scenario } from '../scenario/scenario.js';
import type { KnobFields } from '../targets/builtin-router/knob-args.js';
import { anyDefined, stripUndefined } from '../util/defined.js';
import { redactUrl } from '../util/redact.js';
import { prepareTarget, type PreparedTarget } from './target-phase.js';
import type { ScenarioFile } from '../scenario/scenario.js';
import type { Policy } from '../gate/policy.js';

export interface CompareSideSpec {
  /** A URL, or `builtin` (then `knobs` override the scenario's built-in knobs). */
  target: string;
  knobs?: KnobFields;
  subject?: string;
}

export interface CompareOptions {
  policy: Policy;
  /** Named in the reports. */
  policyPath: string;
  scenarioFile: ScenarioFile;
  baseline: CompareSideSpec;
  candidate: CompareSideSpec;
  budgetMs: number;
  /** Per-round measurement and warm-up; default the scenario's own. */
  roundMs?: number;
  warmupMs?: number;
  confidence: number;
  seed?: number;
  /** Run exactly this many pairs, never stopping early (calibration's A/A). */
  fixedPairs?: number;
  outputs: {
    json?: string;
    junit?: string;
    markdown?: string;
    metrics?: string;
    html?: string;
  };
}

/** More set-aside pairs than this share (and at least two) end the comparison. */
export interface PreparedSide {
  scenario: Scenario;
  label: string;
  seed: number;
  /** The side's target, prepared once (a built-in router started) and kept for every round. */
  target: PreparedTarget;
}

/**
 * One side's scenario: the shared file with this side's target. A built-in router is
 * started once here, by the same target phase a bench run uses, and kept for every round
 * (its process probed by pid for mem/cpu).
 */
export async function prepareSide(
  side: Side,
  o: CompareOptions,
  dir: string,
): Promise<PreparedSide> {
  const file = o.scenarioFile;
  const spec = side === 'baseline' ? o.baseline : o.candidate;
  const knobs = { ...file.builtin, ...stripUndefined(spec.knobs ?? {}) };
  if (spec.target === 'builtin') {
    if ((file.transport ?? 'http') !== 'http')
      throw new ToolError(
        'E_USAGE',
        `--${side}-target builtin: compare drives built-in routers over HTTP only; give two nats:// targets or subjects`,
      );
  } else if (spec.knobs && anyDefined(spec.knobs)) {
    throw new ToolError('E_USAGE', `--${side}-builtin-* options need --${side}-target builtin`);
  }
  const s = await resolveScenario(file, {
    target: spec.target,
    ...(spec.target === 'builtin' ? { builtin: knobs } : {}),
    ...(spec.subject !== undefined ? { subject: spec.subject } : {}),
  });
  if (s.agents)
    throw new ToolError('E_USAGE', 'compare runs its rounds on this host: remove "agents"');
  const scenario: Scenario = {
    ...s,
    load: {
      ...s.load,
      durationMs: o.roundMs ?? s.load.durationMs,
      warmupMs: o.warmupMs ?? s.load.warmupMs,
      repeat: 1,
    },
    outputs: resultOnly(join(dir, `${side}.json`)),
    fault: undefined,
    // The scenario's probes watch one process; here each side has its own (its router).
    probes: { leakThresholdMbPerMin: s.probes.leakThresholdMbPerMin },
  };
  return {
    label:
      spec.target === 'builtin'
        ? `builtin (${describeKnobs(knobs)})`
        : `${redactUrl(spec.target)}${spec.subject ? ` ${spec.subject}` : ''}`,
    seed: s.load.seed,
    scenario,
    target: await prepareTarget(scenario),
  };
}

function describeKnobs(k: KnobFields): string {
  const parts = Object.entries(k)
    .filter(([, v]) => v !== undefined)
    .map(([n, v]) => `${n}=${String(v)}`);
  return parts.length ? parts.join(', ') : 'defaults';
}
