import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { ToolError, type ErrorCode } from '../errors.js';
import { CODE_DIR, PACKAGE_DIR } from './code-dir.js';

/**
 * JSON Schema validation with ajv against the published schemas in `schemas/`, reporting
 * the first problem as one line that names the field (as a JSON path) and what is wrong.
 *
 * The build compiles each schema to a module (scripts/compile-schemas.mjs, with newAjv and
 * compiledPath from here): compiling the scenario schema at every start cost ~0.1 s of CPU.
 * From the sources (the tests) there is no such module, and ajv compiles the schema here.
 */
const require = createRequire(import.meta.url);
const cache = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

/** ajv as the tools configure it: the build's compiled validators come from the same. */
export function newAjv(options: Options = {}): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const addFormats = require('ajv-formats') as (a: Ajv) => Ajv;
  return addFormats(new AjvClass({ allErrors: false, strict: false, ...options }));
}

function compile(name: string): ValidateFunction {
  ajv ??= newAjv();
  return ajv.compile(loadSchema(name));
}

/** Where the build puts a schema's compiled validator (`dist/validators`). */
export function compiledPath(name: string): string {
  return join(CODE_DIR, 'validators', name.replace(/\.json$/, '.cjs'));
}

/** The build's compiled validator for a schema, if this is the built code. */
export function precompiled(name: string): ValidateFunction | undefined {
  const file = compiledPath(name);
  return existsSync(file) ? (require(file) as ValidateFunction) : undefined;
}

/** The published schemas' folder (`schemas/`, shipped with the package). */
export const schemaDir = join(PACKAGE_DIR, 'schemas');

export function schemaPath(name: string): string {
  return join(schemaDir, name);
}

export function loadSchema(name: string): object {
  return JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object;
}

function validator(name: string): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    v = precompiled(name) ?? compile(name);
    cache.set(name, v);
  }
  return v;
}

/**
 * `label` renders a field's path as the reader knows it (a flag's name for values that came
 * from the command line); without it the path is the file's (`nats.subject`).
 */
export function validateOrThrow(
  name: string,
  data: unknown,
  where: string,
  code: ErrorCode,
  label?: (path: string) => string,
): void {
  const v = validator(name);
  if (v(data)) return;
  const problem = describe(v.errors?.[0], data, label);
  throw new ToolError(code, where ? `${where}: ${problem}` : problem);
}

const BOUNDS = new Set(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']);

export function describe(
  e: ErrorObject | undefined,
  data?: unknown,
  label: (path: string) => string = (p) => p,
): string {
  if (!e) return 'invalid';
  const path = e.instancePath ? label(e.instancePath.slice(1).replace(/\//g, '.')) : '(root)';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `${path === '(root)' ? '' : `${path}: `}unknown field "${extra}"`;
  }
  if (e.keyword === 'enum') {
    return `${path} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
  }
  if (e.schemaPath.includes('/definitions/duration')) {
    return `${path} is not a valid duration (use e.g. 500ms, 10s, 2m)`;
  }
  // A flag's text that is not a number arrives as NaN, which only fails the bounds: "must be
  // > 0" would send the reader looking at the sign of a value that has none.
  if (BOUNDS.has(e.keyword) && Number.isNaN(valueAt(data, e.instancePath))) {
    return `${path} is not a number`;
  }
  return `${path} ${e.message ?? 'is invalid'}`;
}

/** The value at a JSON pointer (`/nats/subject`), or undefined. */
function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const key of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}
