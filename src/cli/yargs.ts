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

export const yargs = require('yargs/yargs') as typeof YargsFactory;
export const { hideBin } = require('yargs/helpers') as typeof Helpers;
