// Compiles each published schema (schemas/*.schema.json) to a validator module with ajv's
// standalone code generation, run by `npm run build`. Compiling the scenario schema at run
// time cost ~0.1 s of CPU at every start, before a single request went out; the generated
// module only loads ajv's small runtime helpers. src/util/schema.ts uses these modules when
// present and compiles the schema itself otherwise (tests run from the sources).
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { URL, fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const addFormats = require('ajv-formats');
const standaloneCode = require('ajv/dist/standalone').default;

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/validators/`;
mkdirSync(out, { recursive: true });
for (const name of readdirSync(`${root}schemas`).filter((f) => f.endsWith('.schema.json'))) {
  // The options must match src/util/schema.ts, so both ways give the same verdicts and errors.
  const ajv = addFormats(new Ajv({ allErrors: false, strict: false, code: { source: true } }));
  const validate = ajv.compile(JSON.parse(readFileSync(`${root}schemas/${name}`, 'utf8')));
  const file = `${out}${name.replace(/\.json$/, '.cjs')}`;
  writeFileSync(`${file}.tmp`, standaloneCode(ajv, validate));
  renameSync(`${file}.tmp`, file);
}
