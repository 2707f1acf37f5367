import { ToolError } from '../errors.js';
import { validateOrThrow } from '../util/schema.js';
import { readJsonFile } from './policy.js';

/**
 * A baseline or candidate: our result JSON, or any JSON with a flat `metrics` map (the CP1
 * format). Only what the gate reads is typed; everything else is left alone.
 */
export interface GateDoc {
  path: string;
  what: 'baseline' | 'candidate';
  metrics: Record<string, unknown>;
  samples?: Record<string, unknown>;
  intervals?: Record<string, unknown>[];
  env?: Record<string, unknown>;
  scenario?: Record<string, unknown>;
  generator?: { saturated?: boolean; reasons?: string[] };
  run?: { ct_exit_code?: unknown; interrupted?: boolean; partial?: boolean };
  /** Compressed HDR latency histogram, when the document is a bench-router result. */
  latency?: string;
}

export function asGateDoc(data: unknown, path: string, what: GateDoc['what']): GateDoc {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new ToolError('E_INPUT_INVALID', `${what} ${path}: expected a JSON object`);
  }
  const d = data as Record<string, unknown>;
  if (d.schema === 'bench-result/v1') {
    validateOrThrow('bench-result.schema.json', d, `${what} ${path}`, 'E_INPUT_INVALID');
  }
  if (!d.metrics || typeof d.metrics !== 'object' || Array.isArray(d.metrics)) {
    throw new ToolError('E_INPUT_INVALID', `${what} ${path}: no "metrics" map`);
  }
  const obj = (k: string): Record<string, unknown> | undefined =>
    d[k] && typeof d[k] === 'object' && !Array.isArray(d[k])
      ? (d[k] as Record<string, unknown>)
      : undefined;
  return {
    path,
    what,
    metrics: gateMetrics(d),
    samples: obj('samples'),
    intervals: Array.isArray(d.intervals) ? (d.intervals as Record<string, unknown>[]) : undefined,
    env: obj('env'),
    scenario: obj('scenario'),
    generator: obj('generator') as GateDoc['generator'],
    run: obj('run') as GateDoc['run'],
    ...(typeof obj('histograms')?.latency === 'string'
      ? { latency: obj('histograms')!.latency as string }
      : {}),
  };
}

/**
 * The metrics a rule can name: the flat `metrics` map, and each request kind's figures as
 * `by_kind.NAME.METRIC` (a mix's results), so a rule can hold one kind to its own limit.
 */
export function gateMetrics(d: { metrics?: unknown; by_kind?: unknown }): Record<string, unknown> {
  const out = { ...(d.metrics as Record<string, unknown>) };
  const kinds = d.by_kind;
  if (kinds && typeof kinds === 'object' && !Array.isArray(kinds)) {
    for (const [name, k] of Object.entries(kinds as Record<string, unknown>)) {
      if (!k || typeof k !== 'object') continue;
      for (const [m, v] of Object.entries(k as Record<string, unknown>))
        if (typeof v === 'number') out[`by_kind.${name}.${m}`] = v;
    }
  }
  return out;
}

export async function loadGateDoc(path: string, what: GateDoc['what']): Promise<GateDoc> {
  return asGateDoc(await readJsonFile(path, what), path, what);
}

/**
 * The names a metric may go by: itself, its alias, and any name aliased to it. A present
 * value that is not a finite number is bad input, not a missing metric.
 */
export function readMetric(
  doc: GateDoc,
  metric: string,
  aliases: Record<string, string>,
): { name: string; value: number } | undefined {
  const names = [metric];
  if (aliases[metric]) names.push(aliases[metric]);
  for (const [from, to] of Object.entries(aliases)) if (to === metric) names.push(from);
  for (const name of names) {
    const v = doc.metrics[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ToolError(
        'E_INPUT_INVALID',
        `${doc.what} ${doc.path}: metrics.${name} is not a number (got ${JSON.stringify(v)})`,
      );
    }
    return { name, value: v };
  }
  return undefined;
}

/** Per-run values of a metric (from `--repeat`), when there are at least two. */
export function readSamples(doc: GateDoc, name: string): number[] | undefined {
  const s = doc.samples?.[name];
  if (!Array.isArray(s) || s.length < 2) return undefined;
  if (!s.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ToolError(
      'E_INPUT_INVALID',
      `${doc.what} ${doc.path}: samples.${name} holds a non-number`,
    );
  }
  return s as number[];
}

const INTERVAL_FIELD: Record<string, string> = {
  rps: 'rps',
  latency_p50_ms: 'p50_ms',
  latency_p90_ms: 'p90_ms',
  latency_p99_ms: 'p99_ms',
  latency_max_ms: 'max_ms',
  latency_mean_ms: 'mean_ms',
};

/** Per-second values of a metric, for one run per side; only seconds with answers count. */
export function readIntervalSeries(doc: GateDoc, name: string): number[] | undefined {
  const field = INTERVAL_FIELD[name];
  if (!field || !doc.intervals) return undefined;
  const xs = doc.intervals
    .filter((iv) => typeof iv.ok === 'number' && (iv.ok as number) > 0)
    .map((iv) => iv[field])
    .filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return xs.length >= 5 ? xs : undefined;
}
