// Compiles each published schema (schemas/*.schema.json) to a validator module with ajv's
// standalone code generation, run by `npm run build` after tsc. Compiling the scenario schema
// at run time cost ~0.1 s of CPU at every start, before a single request went out; the
// generated module only loads ajv's small runtime helpers. The ajv, the schemas and the
// place come from the built src/util/schema.ts, which uses these modules when present and
// compiles the schema itself otherwise (tests run from the sources).
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compiledPath, loadSchema, newAjv, schemaDir } from '../dist/util/schema.js';

const standaloneCode = createRequire(import.meta.url)('ajv/dist/standalone').default;

for (const name of readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'))) {
  const ajv = newAjv({ code: { source: true } });
  const file = compiledPath(name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, standaloneCode(ajv, ajv.compile(loadSchema(name))));
  renameSync(`${file}.tmp`, file);
}
