import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { freePort } from '../../src/util/free-port.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  expectOneLineError as expectBadInput,
  ROOT,
  runCli,
  tmp,
  type CliRun,
} from '../helpers/cli.js';

const expectOneLineError = (r: CliRun, pattern: RegExp): void =>
  expectBadInput(r, 'bench-router', pattern);

const closedPort = freePort;

describe('bad input', () => {
  it('unknown flag', async () => {
    expectOneLineError(
      await runCli(['--target', 'builtin', '--rate', '1', '--bogus-flag', '1']),
      /Unknown argument: bogus-flag/,
    );
  });

  it('bad duration', async () => {
    expectOneLineError(
      await runCli(['--target', 'builtin', '--rate', '1', '--duration', 'ten']),
      /duration.*not a (valid )?duration/,
    );
  });

  it('a bad flag value is named by its flag, a negative one too', async () => {
    expectOneLineError(
      await runCli(['--target', 'builtin', '--rate', '1', '--duration', '-1s']),
      /^bench-router: --duration is not a valid duration/,
    );
    expectOneLineError(
      await runCli(['--target', 'builtin', '--rate', 'abc']),
      /^bench-router: --rate is not a number/,
    );
    expectOneLineError(
      await runCli(['--target', 'builtin', '--rate', '-5']),
      /^bench-router: --rate must be > 0/,
    );
  });

  it('missing scenario file', async () => {
    expectOneLineError(
      await runCli(['--scenario', '/nonexistent/s.json']),
      /scenario .*file not found/,
    );
  });

  it('malformed scenario JSON', async () => {
    const f = join(tmp(), 's.json');
    writeFileSync(f, '{"target": "builtin", "rate": 10,');
    expectOneLineError(await runCli(['--scenario', f]), /malformed JSON/);
  });

  it('schema violation names the field', async () => {
    const f = join(tmp(), 's.json');
    writeFileSync(f, JSON.stringify({ target: 'builtin', rate: -5 }));
    expectOneLineError(await runCli(['--scenario', f]), /rate must be > 0/);
    writeFileSync(f, JSON.stringify({ target: 'builtin', rate: 5, builtin: { workers: 'many' } }));
    expectOneLineError(await runCli(['--scenario', f]), /builtin\.workers must be integer/);
    writeFileSync(f, JSON.stringify({ target: 'builtin', rate: 5, rat: 1 }));
    expectOneLineError(await runCli(['--scenario', f]), /unknown field "rat"/);
  });

  it('unreachable target is found before the run', async () => {
    const port = await closedPort();
    const out = join(tmp(), 'run.json');
    const r = await runCli([
      '--target',
      `http://user:hunter22@127.0.0.1:${port}/x`,
      '--rate',
      '10',
      '--duration',
      '1s',
      '--out',
      out,
    ]);
    expectOneLineError(r, /unreachable: connection refused/);
    expect(r.stderr).not.toContain('hunter22');
    expect(existsSync(out)).toBe(false);
  });

  it('unwritable output path', async () => {
    const f = join(tmp(), 'a-file');
    writeFileSync(f, 'x');
    expectOneLineError(
      await runCli([
        '--target',
        'builtin',
        '--rate',
        '10',
        '--duration',
        '1s',
        '--out',
        join(f, 'run.json'),
      ]),
      /cannot write .*run\.json/,
    );
  });

  it('missing rate, and a non-http target', async () => {
    expectOneLineError(await runCli(['--target', 'builtin']), /missing rate/);
    expectOneLineError(
      await runCli(['--target', 'ftp://127.0.0.1/x', '--rate', '1']),
      /must be http/,
    );
  });

  it('a scenario file works and flags override it', async () => {
    const dir = tmp();
    const f = join(dir, 's.yaml');
    writeFileSync(f, `target: builtin\nrate: 50\nduration: 5m\nwarmup: 500ms\nname: from-file\n`);
    const out = join(dir, 'run.json');
    const r = await runCli(['--scenario', f, '--duration', '1s', '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.scenario.name).toBe('from-file');
    expect(res.run.duration_s).toBe(1);
    expect(res.metrics.requests_total).toBe(50);
  });
});

describe('a crash is not a verdict', () => {
  // Exit 1 means "regression" to CI; a bug in the tool must exit 4 with one line instead.
  const crashing = (body: string): string => {
    const f = join(tmp(), 'crash.mjs');
    const runCliJs = join(ROOT, 'dist/cli/run-cli.js');
    writeFileSync(f, `import { runCli } from ${JSON.stringify(runCliJs)};\n${body}\n`);
    return f;
  };

  it('an error thrown by the tool exits 4 with one line', async () => {
    const r = await runCli([], {
      bin: crashing(`runCli('perf-gate', async () => { throw new TypeError('boom'); });`),
    });
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe('perf-gate: internal error: boom');
  });

  it('an error thrown in a callback, outside the main promise, exits 4 with one line', async () => {
    const r = await runCli([], {
      bin: crashing(
        `runCli('bench-router', () => new Promise(() => setTimeout(() => { throw new RangeError('late'); }, 10)));`,
      ),
    });
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe('bench-router: internal error: late');
  });

  it.each([
    ['a corrupt schema', 'JSON'],
    ['a corrupt compiled validator', 'Unexpected'],
  ])(
    'every tool exits 4 with one line when an internal asset is broken (%s)',
    async (what, says) => {
      // A copy of the built package whose JSON schemas are corrupt, and whose validators the
      // build compiled from them are missing (the schemas are read) or corrupt: the tools' own
      // files, not the user's input, so an internal error, never a verdict nor "bad input".
      const pkg = tmp();
      cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
      cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
      mkdirSync(join(pkg, 'schemas'));
      const compiled = join(pkg, 'dist/validators');
      if (what === 'a corrupt schema') rmSync(compiled, { recursive: true });
      for (const f of ['scenario.schema.json', 'policy.schema.json', 'bench-result.schema.json']) {
        writeFileSync(join(pkg, 'schemas', f), '{ "broken": ');
        if (what !== 'a corrupt schema')
          writeFileSync(join(compiled, f.replace(/json$/, 'cjs')), 'module.exports = {');
      }
      const cp1 = join(ROOT, 'examples/cp1');
      const runs: [string, string[]][] = [
        ['bench-router', ['--target', 'builtin', '--rate', '1', '--duration', '1s']],
        ['capacity-sweep', ['--target', 'builtin', '--slo-p99', '100ms']],
        [
          'perf-gate',
          [
            '--baseline',
            join(cp1, 'baseline_cp1.json'),
            '--policy',
            join(cp1, 'policy_cp1.json'),
            '--candidate',
            join(cp1, 'baseline_cp1.json'),
          ],
        ],
      ];
      for (const [tool, args] of runs) {
        const r = await runCli(args, { bin: join(pkg, 'dist/cli', `${tool}.js`) });
        expect(r.code, `${tool}: ${r.stderr}`).toBe(4);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(new RegExp(`^${tool}: internal error: .*${says}`));
      }
    },
  );
});
