import type { Options } from 'yargs';
import { overridesFromFlags } from '../scenario/field-values.js';
import { knobFields } from '../scenario/fields.js';
import type { KnobFields } from '../targets/builtin-router/knob-args.js';
import { flagOptions } from './scenario-flags.js';

/**
 * The built-in router's knobs as flags for perf-gate compare's `--baseline-builtin-*` and
 * `--candidate-builtin-*`, from the same field table as bench-router's `--builtin-*`.
 */
export function builtinOptions(prefix: string, who = 'built-in router'): Record<string, Options> {
  return flagOptions(knobFields('', prefix, who));
}

export function builtinFields(a: Record<string, unknown>, prefix: string): KnobFields {
  return overridesFromFlags(knobFields('', prefix), a) as KnobFields;
}
