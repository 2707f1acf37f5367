import { DEFAULT_KNOBS } from '../targets/builtin-router/knobs.js';

/**
 * Every scenario field, once: its place in the scenario file, its CLI flag, its type and
 * bounds, where it shows in `--help`, and what it means. The flags (cli/scenario-flags),
 * the published JSON Schema (schemas/scenario.schema.json, checked by a test against
 * field-schema) and the field reference (docs/scenario-fields.md) are all made from this
 * table, so they cannot drift apart.
 */
export const FIELD_GROUPS = [
  'Target and load',
  'Requests',
  'Outputs',
  'HTTP client and TLS',
  'NATS',
  'Target probes and faults',
  'Generator agents',
  'Built-in router (--target builtin)',
] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/** A field's type in the file; `duration` is 500ms, 10s, 2m or a number of seconds. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'strings';

export interface ScenarioField {
  /** Where it is in the scenario file; a dot goes into an object (`tls.ca`). */
  path: string;
  /** Its CLI flag (kebab-case); none: the scenario file only. */
  flag?: string;
  group: FieldGroup;
  type: FieldType;
  choices?: readonly string[];
  describe: string;
  /** JSON Schema beyond the type: bounds, a pattern, or a structure of its own. */
  schema?: Record<string, unknown>;
  /** The flag's own shape when it differs from the field's (e.g. `--header` repeated). */
  flagType?: FieldType;
  /** What the flag's value becomes in the file's shape (`30s:100,1m:0` -> stages). */
  fromFlag?: (value: never) => unknown;
  /** Other names of the flag (`--payload` for `--body`). */
  aliases?: string[];
  /** The type as the docs say it, when the file's shape is not one of FieldType's. */
  docType?: string;
  /** A shorter text for `--help`, where a line must hold it (the docs and schema say more). */
  help?: string;
  /** More than `--help` has room for: how it behaves, what it counts as (docs and schema). */
  details?: string;
  /** What it is when not given, as the docs and `--help` say it. */
  default?: string;
}

/** The one line `--help` shows for a field. */
export function helpText(f: ScenarioField): string {
  return `${f.help ?? f.describe}${f.default !== undefined ? `; default ${f.default}` : ''}`;
}

/** The whole text, for the docs and the schema. */
export function fullText(f: ScenarioField): string {
  return `${f.describe}${f.details ? `. ${f.details}` : ''}`;
}

/** Objects of the scenario file: what they are, and what they cannot do without. */
export const FIELD_OBJECTS: Record<string, { describe: string; required?: string[] }> = {
  data: {
    describe:
      'a data feeder: each request takes one row (CSV with a header row, or JSONL) and templates see its fields as {{data.FIELD}}; streamed, threads and agents take disjoint rows',
    required: ['file'],
  },
  tls: { describe: 'TLS for HTTPS targets' },
  nats: { describe: 'NATS connection: secrets only by environment variable or file' },
  agents: {
    describe:
      'split the run over generator agents coordinated on a NATS bus (bench-router agent); secrets only by environment variable or file',
  },
  builtin: { describe: 'knobs of the built-in reference router (target: builtin)' },
};

/**
 * NATS credentials, the same for every connection that needs them (the target's `nats.*`,
 * the agents' bus `agents.*`, an agent's own `--user`...): secrets from environment
 * variables or files only, never a value in a flag or a file.
 */
export function authFields(
  pathPrefix: string,
  flagPrefix: string,
  what: string,
  group: FieldGroup,
): ScenarioField[] {
  const f = (name: string, describe: string): ScenarioField => ({
    path: `${pathPrefix}${name}`,
    flag: `${flagPrefix}${name.replace(/_/g, '-')}`,
    group,
    type: 'string',
    describe,
  });
  return [
    f('user', `${what} user (password from -env/-file)`),
    f('password_env', `environment variable holding the ${what} password`),
    f('password_file', `file holding the ${what} password`),
    f('token_env', `environment variable holding the ${what} token`),
    f('token_file', `file holding the ${what} token`),
    f('nkey_file', 'file holding an nkey seed (SU...)'),
    f('creds', `${what} .creds file (JWT and seed)`),
  ];
}

/** The built-in router's knobs: `builtin.*` here, `--baseline-builtin-*` in compare. */
export function knobFields(
  pathPrefix: string,
  flagPrefix: string,
  who = 'built-in router',
): ScenarioField[] {
  const group: FieldGroup = 'Built-in router (--target builtin)';
  const f = (
    name: string,
    type: FieldType,
    describe: string,
    extra: Partial<ScenarioField> = {},
  ): ScenarioField => ({
    path: `${pathPrefix}${name}`,
    flag: `${flagPrefix}${name.replace(/_/g, '-')}`,
    group,
    type,
    describe: `${who}: ${describe}`,
    ...extra,
  });
  return [
    f('workers', 'integer', 'requests served at once (0: unlimited)', {
      default: String(DEFAULT_KNOBS.workers),
      schema: { minimum: 0 },
    }),
    f('service_time', 'duration', 'mean service time', {
      details: 'Capacity is workers / service time',
      default: `${DEFAULT_KNOBS.serviceTimeMs}ms`,
    }),
    f('service_dist', 'string', 'service time distribution', {
      default: DEFAULT_KNOBS.serviceDist,
      choices: ['fixed', 'uniform', 'exp', 'lognormal'],
    }),
    f('queue_limit', 'integer', 'queue length before overload', {
      details: 'Requests beyond it are answered 503 `overloaded`',
      default: String(DEFAULT_KNOBS.queueLimit),
      schema: { minimum: 0 },
    }),
    f('error_rate', 'number', 'injected error fraction', {
      details: 'Answered 500 `internal_error`',
      default: String(DEFAULT_KNOBS.errorRate),
      schema: { minimum: 0, maximum: 1 },
    }),
    f('stall_every', 'duration', 'stall period', {
      details: 'It blocks its event loop for stall_for every stall_every',
    }),
    f('stall_for', 'duration', 'stall length'),
    f('mem_growth_bytes', 'integer', 'bytes leaked per request', {
      default: String(DEFAULT_KNOBS.memGrowthBytes),
      schema: { minimum: 0 },
    }),
    { ...f('seed', 'integer', 'seed of its random draws'), flag: undefined },
  ];
}

/** A field whose flag is its path in kebab-case (`tls.ca` -> `--tls-ca`). */
export function field(
  path: string,
  group: FieldGroup,
  type: FieldType,
  describe: string,
  extra: Partial<ScenarioField> = {},
): ScenarioField {
  return { path, flag: path.replace(/[._]/g, '-'), group, type, describe, ...extra };
}

/** For fields written in the scenario file only. */
export const FILE_ONLY = { flag: undefined };
