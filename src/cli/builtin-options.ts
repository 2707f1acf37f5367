import type { Options } from 'yargs';
import type { KnobFields } from '../targets/builtin-router/knob-args.js';

/**
 * The built-in router's knobs as flags, declared once for each place that starts one:
 * bench-router's `--builtin-*` and perf-gate compare's `--baseline-builtin-*` and
 * `--candidate-builtin-*`.
 */
export function builtinOptions(prefix: string, who = 'built-in router'): Record<string, Options> {
  return {
    [`${prefix}workers`]: {
      type: 'number',
      describe: `${who}: requests served at once (0: unlimited)`,
    },
    [`${prefix}service-time`]: { type: 'string', describe: `${who}: mean service time` },
    [`${prefix}service-dist`]: {
      choices: ['fixed', 'uniform', 'exp', 'lognormal'],
      describe: `${who}: service time distribution`,
    },
    [`${prefix}queue-limit`]: {
      type: 'number',
      describe: `${who}: queue length before overload`,
    },
    [`${prefix}error-rate`]: { type: 'number', describe: `${who}: injected error fraction` },
    [`${prefix}stall-every`]: { type: 'string', describe: `${who}: stall period` },
    [`${prefix}stall-for`]: { type: 'string', describe: `${who}: stall length` },
    [`${prefix}mem-growth-bytes`]: {
      type: 'number',
      describe: `${who}: bytes leaked per request`,
    },
  };
}

export function builtinFields(a: Record<string, unknown>, prefix: string): KnobFields {
  const get = <T>(k: string): T | undefined => a[`${prefix}${k}`] as T | undefined;
  return {
    workers: get('workers'),
    service_time: get('service-time'),
    service_dist: get('service-dist'),
    queue_limit: get('queue-limit'),
    error_rate: get('error-rate'),
    stall_every: get('stall-every'),
    stall_for: get('stall-for'),
    mem_growth_bytes: get('mem-growth-bytes'),
  };
}
