import { readInputText } from '../util/read-input.js';
import { ToolError, oneLine } from '../errors.js';
import { validateOrThrow } from '../util/schema.js';

/**
 * Policies: the CP1 format teams already keep (read unchanged) and its superset with SLO
 * rules, severities, aliases, comparability and noise-aware confidence. Both normalise to
 * one flat list of rules, which the pure evaluator judges.
 */
export type Severity = 'fail' | 'warn';
export type RuleKind = 'max_pct_increase' | 'max_pct_decrease' | 'equals' | 'max' | 'min';

export interface Rule {
  id: string;
  metric: string;
  kind: RuleKind;
  limit: number;
  severity: Severity;
  confidence?: number;
  source: 'rules' | 'slo';
  rationale?: string;
}

export interface Policy {
  version: string;
  /** CP1 policies keep CP1 semantics: no comparability checks unless asked for. */
  cp1: boolean;
  rules: Rule[];
  aliases: Record<string, string>;
  gate: {
    requireAllMetricsPresent: boolean;
    requireCandidateCtExitCodeZero: boolean;
    refuseSaturatedGenerator: boolean;
    bootstrapIterations: number;
  };
  comparability: { cpu: boolean; scenario: boolean; rate: boolean };
}

export interface PolicyFile {
  version?: string;
  rules?: Record<
    string,
    {
      relative?: { max_pct_increase?: number; max_pct_decrease?: number };
      absolute?: { equals?: number; max?: number; min?: number };
      severity?: Severity;
      confidence?: number;
    }
  >;
  slo?: (string | { expr: string; severity?: Severity; rationale?: string })[];
  aliases?: Record<string, string>;
  comparability?: {
    require_same_cpu?: boolean;
    require_same_scenario?: boolean;
    require_same_rate?: boolean;
  };
  gate?: {
    require_all_metrics_present?: boolean;
    require_candidate_ct_exit_code_zero?: boolean;
    refuse_saturated_generator?: boolean;
    bootstrap_iterations?: number;
  };
}

/** Names the CP1 baselines used for what bench-router calls otherwise. */
export const DEFAULT_ALIASES: Record<string, string> = {
  mem_mb_total_erlang: 'mem_mb',
  backpressure_active_total: 'backpressure_total',
};

const SLO_RE = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(<=|>=|<|>|==)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$/;

export function parseSlo(expr: string): { metric: string; kind: RuleKind; limit: number } {
  const m = SLO_RE.exec(expr);
  if (!m) throw new ToolError('E_POLICY_INVALID', `slo "${expr}": expected "metric <= number"`);
  const limit = Number(m[3]);
  if (!Number.isFinite(limit)) throw new ToolError('E_POLICY_INVALID', `slo "${expr}": bad number`);
  const op = m[2]!;
  // Strict and non-strict bounds are judged alike: metrics are measured, not exact.
  const kind: RuleKind = op === '==' ? 'equals' : op.startsWith('<') ? 'max' : 'min';
  return { metric: m[1]!, kind, limit };
}

export function normalizePolicy(file: PolicyFile): Policy {
  const cp1 = (file.version ?? 'cp1').toLowerCase() === 'cp1';
  const rules: Rule[] = [];
  for (const [metric, r] of Object.entries(file.rules ?? {})) {
    const severity = r.severity ?? 'fail';
    const add = (
      kind: RuleKind,
      limit: number | undefined,
      group: string,
      confidence?: number,
    ): void => {
      if (limit === undefined) return;
      rules.push({
        id: `${metric} ${group}.${kind}`,
        metric,
        kind,
        limit,
        severity,
        source: 'rules',
        ...(confidence !== undefined ? { confidence } : {}),
      });
    };
    add('max_pct_increase', r.relative?.max_pct_increase, 'relative', r.confidence);
    add('max_pct_decrease', r.relative?.max_pct_decrease, 'relative', r.confidence);
    add('equals', r.absolute?.equals, 'absolute');
    add('max', r.absolute?.max, 'absolute');
    add('min', r.absolute?.min, 'absolute');
  }
  for (const s of file.slo ?? []) {
    const spec = typeof s === 'string' ? { expr: s } : s;
    const { metric, kind, limit } = parseSlo(spec.expr);
    rules.push({
      id: `slo ${spec.expr.trim()}`,
      metric,
      kind,
      limit,
      severity: spec.severity ?? 'fail',
      source: 'slo',
      ...(spec.rationale ? { rationale: spec.rationale } : {}),
    });
  }
  const c = file.comparability ?? {};
  const g = file.gate ?? {};
  return {
    version: file.version ?? 'cp1',
    cp1,
    rules,
    aliases: { ...DEFAULT_ALIASES, ...(file.aliases ?? {}) },
    gate: {
      requireAllMetricsPresent: g.require_all_metrics_present ?? true,
      requireCandidateCtExitCodeZero: g.require_candidate_ct_exit_code_zero ?? true,
      refuseSaturatedGenerator: g.refuse_saturated_generator ?? true,
      bootstrapIterations: g.bootstrap_iterations ?? 4000,
    },
    comparability: {
      cpu: c.require_same_cpu ?? !cp1,
      scenario: c.require_same_scenario ?? !cp1,
      rate: c.require_same_rate ?? !cp1,
    },
  };
}

/** Reads a JSON file for the gate: missing and malformed files are bad input (exit 2). */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  const text = await readInputText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ToolError('E_INPUT_PARSE', `${what} ${path}: malformed JSON: ${oneLine(e)}`);
  }
}

export async function loadPolicy(path: string): Promise<Policy> {
  const data = await readJsonFile(path, 'policy');
  validateOrThrow('policy.schema.json', data, `policy ${path}`, 'E_POLICY_INVALID');
  return normalizePolicy(data as PolicyFile);
}
