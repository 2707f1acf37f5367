import type { Options } from 'yargs';

/**
 * The common command line — only known `--flag value` pairs, each given once unless
 * repeatable, every value plain — parsed without loading yargs, from the same option
 * declarations. yargs costs ~37 ms of CPU at every start (`perf stat -r 15`: a script that
 * loads it and parses one flag against an empty one), a tenth of the whole start-up of a
 * short run. Anything else (help, a misspelt flag, a value yargs reads in its own way:
 * `--quiet false`, `--rate 1e3`, `--header a b`, a repeated single flag) returns undefined,
 * and the caller hands the line to yargs, which parses, explains or helps as always. A unit
 * test runs a corpus of lines through both and requires the same values wherever this one
 * answers.
 */
export type ParsedFlags = Record<string, unknown>;

const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function parseKnownFlags(
  args: readonly string[],
  options: Readonly<Record<string, Options>>,
): ParsedFlags | undefined {
  const byName = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    byName.set(name, name);
    for (const a of aliasesOf(o)) byName.set(a, name);
  }
  const out: ParsedFlags = {};
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (!token.startsWith('--') || token.length === 2) return undefined;
    const eq = token.indexOf('=');
    const given = eq < 0 ? token.slice(2) : token.slice(2, eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    let name = byName.get(given);
    let negated = false;
    if (name === undefined && given.startsWith('no-')) {
      name = byName.get(given.slice(3));
      negated = true;
    }
    if (name === undefined) return undefined;
    const o = options[name]!;
    if (o.type === 'boolean') {
      const next = args[i + 1];
      if (inline !== undefined || next === 'true' || next === 'false') return undefined;
      if (name in out) return undefined;
      out[name] = !negated;
      continue;
    }
    if (negated) return undefined;
    let raw = inline;
    if (raw === undefined) {
      raw = args[i + 1];
      if (raw === undefined || raw.startsWith('-')) return undefined;
      i++;
    }
    const value = valueOf(o, raw);
    if (value === undefined) return undefined;
    if (o.array) ((out[name] ??= []) as unknown[]).push(value);
    else if (name in out) return undefined;
    else out[name] = value;
  }
  for (const [name, o] of Object.entries(options)) {
    if (!(name in out) && o.default !== undefined) out[name] = o.default;
    if (!(name in out) && o.demandOption) return undefined;
  }
  // yargs answers under every alias too.
  for (const [name, o] of Object.entries(options)) {
    if (name in out) for (const a of aliasesOf(o)) out[a] = out[name];
  }
  return out;
}

function aliasesOf(o: Options): readonly string[] {
  return o.alias === undefined ? [] : typeof o.alias === 'string' ? [o.alias] : o.alias;
}

function valueOf(o: Options, raw: string): unknown {
  if (o.choices) return (o.choices as unknown[]).includes(raw) ? raw : undefined;
  if (o.type === 'number') return PLAIN_NUMBER.test(raw) ? Number(raw) : undefined;
  if (o.type === 'string') return raw;
  return undefined;
}
