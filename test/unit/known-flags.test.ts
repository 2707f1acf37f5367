import { describe, expect, it } from 'vitest';
import type { Options } from 'yargs';
import { parseKnownFlags } from '../../src/cli/known-flags.js';
import { benchRouterOptions } from '../../src/cli/bench-router-options.js';
import { joinDashedValues, yargs } from '../../src/cli/yargs.js';

const OPTIONS = benchRouterOptions();

/** What yargs makes of a line under the same declarations as bench-router; undefined: refused. */
function byYargs(args: string[]): Record<string, unknown> | undefined {
  let failed = false;
  const parsed = yargs(args)
    .options(OPTIONS)
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .version(false)
    .help(false)
    .fail(() => {
      failed = true;
    })
    .parseSync();
  if (failed) return undefined;
  const { _: positional, $0: script, ...flags } = parsed;
  void script;
  return (positional as unknown[]).length ? { ...flags, _: positional } : flags;
}

const COMMON: string[][] = [
  [],
  ['--target', 'builtin', '--rate', '500', '--duration', '10s', '--warmup', '2s'],
  ['--target', 'http://127.0.0.1:8080/x', '--rate', '1000', '--quiet', '--out', 'r.json'],
  ['--target=builtin', '--rate=250.5', '--no-quiet', '--connections', '8'],
  ['--target', 'builtin', '--header', 'A: b', '--header', 'C: {{tenant}}', '--method', 'GET'],
  ['--target', 'builtin', '--payload', '@req.json', '--arrival', 'poisson', '--seed', '7'],
  ['--target', 'builtin', '--rate', '0', '--reply-check', '--overload-code', 'busy'],
  ['--target', 'builtin', '--no-reply-check', '--load-performance', 'k6.json', '--rate', '7'],
  ['--target', 'nats://127.0.0.1:4222', '--mode', 'publish', '--payload-size', '128'],
  ['--scenario', 's.yaml', '--rate', '100', '--body', '{"a":1}'],
];

const ODD: string[][] = [
  ['--help'],
  ['--version'],
  ['--bogus-flag', '1'],
  ['--rate', '1e3'],
  ['--rate', '007'],
  ['--rate', '-5'],
  ['--rate', 'fast'],
  ['--quiet', 'false'],
  ['--quiet=false'],
  ['--header', 'A: b', 'C: d'],
  ['--rate', '10', '--rate', '20'],
  ['--arrival', 'bursty'],
  ['-q'],
  ['run', '--rate', '5'],
  ['--rate'],
  ['--', '--rate', '5'],
  ['--no-rate', '5'],
];

describe('parseKnownFlags', () => {
  it('answers the common lines exactly as yargs does', () => {
    for (const args of COMMON) {
      const fast = parseKnownFlags(args, OPTIONS);
      expect(fast, args.join(' ')).toBeDefined();
      expect(fast, args.join(' ')).toEqual(byYargs(args));
    }
  });

  it('leaves every other line to yargs, and never disagrees with it when it does answer', () => {
    for (const args of ODD) expect(parseKnownFlags(args, OPTIONS), args.join(' ')).toBeUndefined();
    // Lines yargs refuses are never accepted here.
    for (const args of [...COMMON, ...ODD]) {
      const fast = parseKnownFlags(args, OPTIONS);
      if (fast !== undefined) expect(fast).toEqual(byYargs(args));
    }
  });

  it('applies defaults and declines when a demanded flag is missing', () => {
    const o: Record<string, Options> = {
      out: { type: 'string', default: 'reports/run.json' },
      policy: { type: 'string', demandOption: true },
    };
    expect(parseKnownFlags(['--policy', 'p.json'], o)).toEqual({
      out: 'reports/run.json',
      policy: 'p.json',
    });
    expect(parseKnownFlags(['--out', 'x.json'], o)).toBeUndefined();
  });
});

describe('yargs: a value that starts with a dash', () => {
  it('stays the value of the flag before it, so the flag is what the error names', () => {
    expect(byYargs(['--duration', '-1s'])).toMatchObject({ duration: '-1s' });
    expect(byYargs(['--rate', '-5', '--warmup', '-.5s'])).toMatchObject({
      rate: -5,
      warmup: '-.5s',
    });
    // A flag that is given its value with `=`, or a flag after a flag, is left as it is.
    expect(joinDashedValues(['--rate=-5', '--quiet', '--out', 'x.json'])).toEqual([
      '--rate=-5',
      '--quiet',
      '--out',
      'x.json',
    ]);
    expect(joinDashedValues(['--duration', '-1s', '--rate', '10'])).toEqual([
      '--duration=-1s',
      '--rate',
      '10',
    ]);
  });
});
