/**
 * Typed errors with stable codes. The CLI maps each to a documented exit code and prints
 * one line; anything that is not a ToolError is a bug and says so.
 */
export const ExitCode = {
  ok: 0,
  regression: 1,
  badInput: 2,
  invalidRun: 3,
  /** The tool itself failed. Never 1: a crash must not read as a regression in CI. */
  internal: 4,
  interrupted: 130,
} as const;

export type ErrorCode =
  | 'E_USAGE'
  | 'E_BAD_DURATION'
  | 'E_SCENARIO_READ'
  | 'E_SCENARIO_PARSE'
  | 'E_SCENARIO_INVALID'
  | 'E_TARGET_UNREACHABLE'
  | 'E_TARGET_START'
  | 'E_OUTPUT_UNWRITABLE'
  | 'E_INPUT_READ'
  | 'E_INPUT_PARSE'
  | 'E_INPUT_INVALID'
  | 'E_POLICY_INVALID'
  | 'E_METRIC_UNKNOWN'
  | 'E_NATS_SERVER_MISSING'
  | 'E_NATS_SERVER_START'
  | 'E_TLS_SETUP'
  | 'E_BASELINE_REFUSED'
  | 'E_AGENT_UNAUTHENTICATED'
  | 'E_AGENTS_MISSING'
  | 'E_AGENT_REFUSED'
  | 'E_AGENTS_LOST'
  | 'E_INTERRUPTED';

export class ToolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode: number = ExitCode.badInput,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export function isToolError(e: unknown): e is ToolError {
  return e instanceof ToolError;
}

/** One line, whatever the error: multi-line messages from libraries are folded. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\s*\n\s*/g, '; ').trim();
}
