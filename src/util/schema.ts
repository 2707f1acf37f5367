import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ToolError, type ErrorCode } from '../errors.js';

/**
 * JSON Schema validation with ajv against the published schemas in `schemas/`, reporting
 * the first problem as one line that names the field (as a JSON path) and what is wrong.
 */
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: false, strict: false }));
const cache = new Map<string, ValidateFunction>();

export function schemaPath(name: string): string {
  return fileURLToPath(new URL(`../../schemas/${name}`, import.meta.url));
}

export function loadSchema(name: string): object {
  return JSON.parse(readFileSync(schemaPath(name), 'utf8')) as object;
}

function validator(name: string): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    v = ajv.compile(loadSchema(name));
    cache.set(name, v);
  }
  return v;
}

export function validateOrThrow(name: string, data: unknown, where: string, code: ErrorCode): void {
  const v = validator(name);
  if (v(data)) return;
  throw new ToolError(code, `${where}: ${describe(v.errors?.[0])}`);
}

export function describe(e: ErrorObject | undefined): string {
  if (!e) return 'invalid';
  const path = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(root)';
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
  return `${path} ${e.message ?? 'is invalid'}`;
}
