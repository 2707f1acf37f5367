import {
  FIELD_GROUPS,
  FIELD_OBJECTS,
  fullText,
  scenarioFields,
  type FieldType,
  type ScenarioField,
} from './fields.js';

/**
 * What the field table makes besides the flags: the published JSON Schema of the scenario
 * file and the field reference in the docs. `npm run gen:scenario` writes both; a unit test
 * fails when the checked-in files differ from what the table makes.
 */
const DURATION = {
  oneOf: [
    { type: 'string', pattern: '^\\d+(\\.\\d+)?(us|ms|s|m|h)$' },
    { type: 'number', minimum: 0 },
  ],
};

function typeSchema(t: FieldType): Record<string, unknown> {
  switch (t) {
    case 'duration':
      return { $ref: '#/definitions/duration' };
    case 'strings':
      return { type: 'array', items: { type: 'string' } };
    default:
      return { type: t };
  }
}

/** A field's own schema: its type (or choices), then its extra keywords; a structure of its
 * own (a `type`, `oneOf` or `$ref` in the extras) replaces the plain type. */
function fieldSchema(f: ScenarioField): Record<string, unknown> {
  const own = f.schema ?? {};
  const replaces = 'type' in own || 'oneOf' in own || '$ref' in own;
  const base = replaces ? {} : f.choices ? { enum: [...f.choices] } : typeSchema(f.type);
  const dflt = f.default !== undefined ? `; default ${f.default}` : '';
  return { ...base, ...own, description: `${fullText(f)}${dflt}` };
}

export function scenarioSchema(fields: ScenarioField[] = scenarioFields()): object {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const f of fields) {
    const [head, sub] = splitPath(f.path);
    if (sub === undefined) {
      properties[head] = fieldSchema(f);
      continue;
    }
    const obj = FIELD_OBJECTS[head];
    if (!obj) throw new Error(`field ${f.path}: no object "${head}" in FIELD_OBJECTS`);
    const o = (properties[head] ??= {
      type: 'object',
      additionalProperties: false,
      description: obj.describe,
      ...(obj.required ? { required: obj.required } : {}),
      properties: {},
    });
    (o.properties as Record<string, unknown>)[sub] = fieldSchema(f);
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://perfkit.dev/schemas/scenario.schema.json',
    title: 'bench-router scenario',
    description:
      'A load scenario. Every field has a CLI flag (docs/scenario-fields.md); flags override the file. Durations are strings like 500ms, 10s, 2m or numbers of seconds.',
    type: 'object',
    additionalProperties: false,
    definitions: { duration: DURATION },
    properties,
  };
}

function splitPath(path: string): [string, string | undefined] {
  const i = path.indexOf('.');
  return i < 0 ? [path, undefined] : [path.slice(0, i), path.slice(i + 1)];
}

const TYPE_TEXT: Record<FieldType, string> = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  duration: 'duration',
  strings: 'list of strings',
};

/** The field reference: one table per group, in `--help` order. */
export function fieldsMarkdown(fields: ScenarioField[] = scenarioFields()): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [
    '# Scenario fields and flags',
    '',
    '<!-- Made from src/scenario/fields.ts by `npm run gen:scenario`; do not edit by hand. -->',
    '',
    'Every scenario field, its flag (flags override the file) and what it means. A scenario',
    'file is JSON or YAML checked against `schemas/scenario.schema.json`; durations are',
    '`500ms`, `10s`, `2m` or a number of seconds. Fields with a dot live in an object',
    '(`tls.ca` is `"tls": {"ca": …}`).',
  ];
  for (const group of FIELD_GROUPS) {
    const rows = fields.filter((f) => f.group === group);
    if (!rows.length) continue;
    out.push(
      '',
      `## ${group}`,
      '',
      '| field | flag | type | what it is |',
      '| --- | --- | --- | --- |',
    );
    for (const f of rows) {
      const flag = f.flag
        ? [f.flag, ...(f.aliases ?? [])].map((n) => `\`--${n}\``).join(', ')
        : '(file only)';
      const type =
        f.docType ??
        (f.choices ? f.choices.map((c) => `\`${c}\``).join(' \\| ') : TYPE_TEXT[f.type]);
      const dflt = f.default !== undefined ? `\`${f.default}\`` : '';
      out.push(`| \`${f.path}\` | ${flag} | ${type} | ${dflt} | ${cell(fullText(f))} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
