import { ToolError } from '../errors.js';

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)$/;

/**
 * Parses `500ms`, `10s`, `2m`, `1h` (and a bare number, read as seconds, for scenario files)
 * into milliseconds.
 */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new ToolError('E_BAD_DURATION', `${what}: ${input} is not a valid duration`);
    }
    return input * 1000;
  }
  const m = DURATION_RE.exec(input.trim());
  if (!m) {
    throw new ToolError(
      'E_BAD_DURATION',
      `${what}: "${input}" is not a duration (use e.g. 500ms, 10s, 2m, 1h)`,
    );
  }
  return Number(m[1]) * UNIT_MS[m[2] as string]!;
}

export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
