import { readScenarioFile, resolveScenario, type ScenarioOverrides } from '../scenario/resolve.js';
import type { Scenario } from '../scenario/scenario.js';
import { overridesFromFlags } from '../scenario/field-values.js';
import { scenarioFields } from '../scenario/fields.js';
import type { ScenarioArgv } from './scenario-flags.js';

/**
 * Flags -> scenario fields, by the field table, so a flag means the same everywhere and
 * overrides the file. `--body @file` is the one flag whose value picks the field.
 */
export { withScenarioOptions } from './scenario-flags.js';

export function overridesFrom(argv: ScenarioArgv): ScenarioOverrides {
  const o = overridesFromFlags(scenarioFields(), argv) as ScenarioOverrides;
  if (o.body?.startsWith('@')) {
    o.body_at = o.body.slice(1);
    delete o.body;
  }
  return o;
}

/** The scenario file (if any), then the flags, resolved and validated. */
export async function scenarioFromArgv(
  argv: ScenarioArgv,
  extra: ScenarioOverrides = {},
): Promise<Scenario> {
  const file = argv.scenario ? await readScenarioFile(argv.scenario) : {};
  return resolveScenario(file, { ...overridesFrom(argv), ...extra });
}
