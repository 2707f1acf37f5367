import type { ScenarioField } from './fields.js';

/**
 * Flag values (by flag name, as a CLI parser gives them) -> the scenario file's shape: each
 * set flag at its field's path, through the field's parser when its text has a shape of its
 * own. Unset flags leave nothing, so an object appears only when one of its flags was given.
 */
export function overridesFromFlags(
  fields: readonly ScenarioField[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!f.flag) continue;
    const v = values[f.flag];
    if (v === undefined) continue;
    const value = f.fromFlag ? (f.fromFlag as (x: unknown) => unknown)(v) : v;
    const parts = f.path.split('.');
    let at = out;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[parts.at(-1)!] = value;
  }
  return out;
}
