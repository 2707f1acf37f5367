import { parseDuration, formatDuration } from '../../util/duration.js';
import { DEFAULT_KNOBS, type RouterKnobs, type ServiceDist } from './knobs.js';

/**
 * One mapping between knob names, CLI flags and scenario fields, shared by the router's own
 * CLI (`--workers`) and bench-router (`--builtin-workers`, scenario `builtin.workers`).
 */
export interface KnobFields {
  workers?: number;
  service_time?: string | number;
  service_dist?: ServiceDist;
  queue_limit?: number;
  error_rate?: number;
  stall_every?: string | number;
  stall_for?: string | number;
  mem_growth_bytes?: number;
  seed?: number;
}

export function knobsFromFields(f: KnobFields): RouterKnobs {
  const k = { ...DEFAULT_KNOBS };
  if (f.workers !== undefined) k.workers = f.workers;
  if (f.service_time !== undefined) k.serviceTimeMs = parseDuration(f.service_time, 'service_time');
  if (f.service_dist !== undefined) k.serviceDist = f.service_dist;
  if (f.queue_limit !== undefined) k.queueLimit = f.queue_limit;
  if (f.error_rate !== undefined) k.errorRate = f.error_rate;
  if (f.stall_every !== undefined) k.stallEveryMs = parseDuration(f.stall_every, 'stall_every');
  if (f.stall_for !== undefined) k.stallForMs = parseDuration(f.stall_for, 'stall_for');
  if (f.mem_growth_bytes !== undefined) k.memGrowthBytes = f.mem_growth_bytes;
  if (f.seed !== undefined) k.seed = f.seed;
  return k;
}

export function knobsToArgs(k: Partial<RouterKnobs>): string[] {
  const out: string[] = [];
  if (k.workers !== undefined) out.push('--workers', String(k.workers));
  if (k.serviceTimeMs !== undefined) out.push('--service-time', formatDuration(k.serviceTimeMs));
  if (k.serviceDist !== undefined) out.push('--service-dist', k.serviceDist);
  if (k.queueLimit !== undefined) out.push('--queue-limit', String(k.queueLimit));
  if (k.errorRate !== undefined) out.push('--error-rate', String(k.errorRate));
  if (k.stallEveryMs !== undefined) out.push('--stall-every', formatDuration(k.stallEveryMs));
  if (k.stallForMs !== undefined) out.push('--stall-for', formatDuration(k.stallForMs));
  if (k.memGrowthBytes !== undefined) out.push('--mem-growth-bytes', String(k.memGrowthBytes));
  if (k.seed !== undefined) out.push('--seed', String(k.seed));
  return out;
}
