import { createRequire } from 'node:module';
import type YargsFactory from 'yargs';
import type * as Helpers from 'yargs/helpers';

/**
 * yargs through its CommonJS build. The same yargs and API, but one bundled file where the
 * ES module build is some forty that Node's ESM loader resolves and links one by one: a
 * process that only parses a flag cost 259 ms of CPU with the ES build against 205 ms with
 * this one and 141 ms for an empty script (`perf stat -r 8`), and every command pays it at
 * every start (a perf-gate job starts several).
 */
const require = createRequire(import.meta.url);

const yargsFactory = require('yargs/yargs') as typeof YargsFactory;

/**
 * yargs reads `--duration -1s` as the short flags `-1` and `-s` ("Unknown arguments: 1, s"),
 * which sends the reader looking for a flag they never typed. A word that starts with a dash
 * and a digit, right after a `--flag`, is that flag's value: it goes on as `--duration=-1s`,
 * so the flag's own check explains it ("--duration is not a valid duration").
 */
export function joinDashedValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (/^--[^=]+$/.test(a) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export const yargs = ((args: readonly string[] = []) =>
  yargsFactory(joinDashedValues(args))) as unknown as typeof YargsFactory;
export const { hideBin } = require('yargs/helpers') as typeof Helpers;
