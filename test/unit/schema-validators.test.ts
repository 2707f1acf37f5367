import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { describe as describeError, validateOrThrow } from '../../src/util/schema.js';

/**
 * The build compiles each schema to a module (scripts/compile-schemas.mjs) that the built
 * tools use instead of compiling at start-up; the tests run from the sources, which compile.
 * Both must give the same verdict and the same first error, or the CLI would say something
 * other than what these tests check.
 */
const require = createRequire(import.meta.url);
const path = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const json = (p: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path(p), 'utf8')) as Record<string, unknown>;

// A real result, from a short run of the built tool against its built-in router.
const out = `${mkdtempSync(`${tmpdir()}/validators-`)}/r.json`;
execFileSync(process.execPath, [
  path('dist/cli/bench-router.js'),
  ...['--target', 'builtin', '--rate', '20', '--duration', '1s', '--warmup', '0s'],
  ...['--quiet', '--out', out],
]);
const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
const policy = json('examples/cp1/policy_cp1.json');
const scenario = json('perf/router-http.json');

const cases: [string, unknown[]][] = [
  [
    'scenario.schema.json',
    [
      scenario,
      { ...scenario, rate: -1 },
      { ...scenario, duration: '10x' },
      { ...scenario, speed: 3 },
      { ...scenario, protocol: 'ftp' },
      { ...scenario, connections: 'many' },
      {},
    ],
  ],
  [
    'policy.schema.json',
    [policy, { ...policy, rules: 'none' }, { ...policy, surprise: true }, [], { rules: [{}] }],
  ],
  [
    'bench-result.schema.json',
    [
      result,
      { ...result, metrics: 'fast' },
      { ...result, started_at: 'yesterday' },
      { schema: 'bench-result/v1' },
    ],
  ],
];

describe('the validators the build compiles', () => {
  const built = (name: string): string =>
    path(`dist/validators/${name.replace(/\.json$/, '.cjs')}`);

  it.each(cases)('%s: same verdict and first error as compiling the schema', (name, docs) => {
    expect(existsSync(built(name)), 'run npm run build').toBe(true);
    const compiled = require(built(name)) as ValidateFunction;
    let invalid = 0;
    for (const doc of docs) {
      const ok = compiled(doc);
      let fromSource = '';
      try {
        validateOrThrow(name, doc, 'doc', 'E_INPUT_INVALID');
      } catch (e) {
        fromSource = (e as Error).message;
      }
      expect(ok, JSON.stringify(doc).slice(0, 80)).toBe(fromSource === '');
      if (!ok) {
        invalid++;
        expect(`doc: ${describeError(compiled.errors?.[0] ?? undefined)}`).toBe(fromSource);
      }
    }
    // The cases must exercise both answers, or this would compare nothing.
    expect(invalid).toBeGreaterThan(0);
    expect(invalid).toBeLessThan(docs.length);
  });
});
