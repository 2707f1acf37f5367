// Writes what the scenario field table (src/scenario/fields.ts) makes: the published JSON
// Schema and the field reference. Run by `npm run gen:scenario` after a field changes; a unit
// test fails while the checked-in files differ from the table.
import { writeFileSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { fieldsMarkdown, scenarioSchema } from '../dist/scenario/field-schema.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = [
  ['schemas/scenario.schema.json', JSON.stringify(scenarioSchema(), null, 2), 'json'],
  ['docs/scenario-fields.md', fieldsMarkdown(), 'markdown'],
];
for (const [path, text, parser] of files) {
  const options = (await prettier.resolveConfig(root + path)) ?? {};
  writeFileSync(root + path, await prettier.format(text, { ...options, parser }));
  process.stdout.write(`wrote ${path}\n`);
}
