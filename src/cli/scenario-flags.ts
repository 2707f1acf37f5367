import type { Argv, Options } from 'yargs';
import { FIELD_GROUPS, helpText, scenarioFields, type ScenarioField } from '../scenario/fields.js';

/**
 * Every scenario option as a CLI flag, made from the scenario field table (one entry per
 * field: flag, type, help text, group), shared by bench-router, perf-gate's runs and
 * capacity-sweep, shown in --help by concern, most used first. Only `--scenario` (the file
 * itself) and `--quiet` are not scenario fields.
 */
/** A field's flag as a yargs option. */
export function flagOption(f: ScenarioField): Options {
  const t = f.flagType ?? f.type;
  return {
    describe: helpText(f),
    ...(f.choices
      ? { choices: [...f.choices] }
      : {
          type:
            t === 'boolean' ? 'boolean' : t === 'number' || t === 'integer' ? 'number' : 'string',
        }),
    ...(t === 'strings' ? { array: true } : {}),
    ...(f.aliases ? { alias: f.aliases } : {}),
  };
}

/** The flags of some fields, by flag name (for compare's `--baseline-builtin-*` too). */
export function flagOptions(fields: readonly ScenarioField[]): Record<string, Options> {
  return Object.fromEntries(fields.flatMap((f) => (f.flag ? [[f.flag, flagOption(f)]] : [])));
}

/** Every scenario flag, `--scenario` and `--quiet`: what withScenarioOptions declares. */
export function scenarioOptions(): Record<string, Options> {
  return {
    ...flagOptions(scenarioFields()),
    scenario: { type: 'string', describe: 'scenario file (JSON or YAML); flags override it' },
    quiet: { type: 'boolean', default: false, describe: 'no progress or summary' },
  };
}

export function withScenarioOptions<T>(y: Argv<T>) {
  const fields = scenarioFields();
  const withFlags = y.options(scenarioOptions()) as unknown as Argv<
    T & { scenario: string | undefined; quiet: boolean }
  >;
  // yargs groups the help by these headings, in this order; `--scenario` right after --target.
  for (const group of FIELD_GROUPS) {
    const flags = fields.filter((f) => f.group === group && f.flag).map((f) => f.flag!);
    if (group === 'Target and load') flags.splice(1, 0, 'scenario');
    if (group === 'Outputs') flags.push('quiet');
    withFlags.group(flags, `${group}:`);
  }
  return withFlags;
}

/** Parsed flags: the scenario's by flag name (values checked by the scenario schema). */
export type ScenarioArgv = Record<string, unknown> & { scenario?: string; quiet: boolean };
