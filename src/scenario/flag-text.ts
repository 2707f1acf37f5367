import { ToolError } from '../errors.js';

/**
 * Flags whose text has a shape of its own, turned into the scenario file's shape (usage
 * errors name the flag and what it expects).
 */

/** `30s:100,1m:1000,30s:0` -> [{duration: '30s', target: 100}, ...]. */
export function parseStages(text: string): { duration: string; target: number }[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^:\s]+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m)
      throw new ToolError(
        'E_USAGE',
        `--stages "${part.trim()}": expected DURATION:TARGET, e.g. 30s:100,1m:1000`,
      );
    return { duration: m[1]!, target: Number(m[2]) };
  });
}

/** Repeated `--header "Name: value"` -> {Name: value}. */
export function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0)
      throw new ToolError('E_USAGE', `--header "${h.split(':')[0]}": expected "Name: value"`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/** `--agents 3` or `--agents all`. */
export function parseAgentCount(text: string): number | 'all' {
  if (text === 'all') return 'all';
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new ToolError('E_USAGE', `--agents "${text}": expected a number of agents or "all"`);
  return Number(text);
}

/** `a, b,,c` -> ['a', 'b', 'c']. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
