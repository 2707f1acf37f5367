import { loadAndRequestFields } from './fields-load.js';
import { outputAndConnectionFields } from './fields-connections.js';
import type { ScenarioField } from './field-kit.js';

export * from './field-kit.js';

/**
 * The one table of scenario fields, in `--help` order within each group; its parts live by
 * concern in fields-load and fields-connections, its vocabulary in field-kit.
 */
export function scenarioFields(): ScenarioField[] {
  return [...loadAndRequestFields(), ...outputAndConnectionFields()];
}
