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

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The one table from an error's code to the process's exit code. Everything a user can fix
 * (flags, files, an unreachable target, a refusing agent) is bad input, 2; a run that lost
 * its agents measured less than asked, 3, like any invalid run; an interrupt is 130. A
 * Record over the union, so a new code cannot be added without deciding its exit code.
 */
const EXIT_CODE_OF: Record<ErrorCode, ExitCodeValue> = {
  E_USAGE: ExitCode.badInput,
  E_BAD_DURATION: ExitCode.badInput,
  E_SCENARIO_READ: ExitCode.badInput,
  E_SCENARIO_PARSE: ExitCode.badInput,
  E_SCENARIO_INVALID: ExitCode.badInput,
  E_TARGET_UNREACHABLE: ExitCode.badInput,
  E_TARGET_START: ExitCode.badInput,
  E_OUTPUT_UNWRITABLE: ExitCode.badInput,
  E_INPUT_READ: ExitCode.badInput,
  E_INPUT_PARSE: ExitCode.badInput,
  E_INPUT_INVALID: ExitCode.badInput,
  E_POLICY_INVALID: ExitCode.badInput,
  E_METRIC_UNKNOWN: ExitCode.badInput,
  E_NATS_SERVER_MISSING: ExitCode.badInput,
  E_NATS_SERVER_START: ExitCode.badInput,
  E_TLS_SETUP: ExitCode.badInput,
  E_BASELINE_REFUSED: ExitCode.badInput,
  E_AGENT_UNAUTHENTICATED: ExitCode.badInput,
  E_AGENTS_MISSING: ExitCode.badInput,
  E_AGENT_REFUSED: ExitCode.badInput,
  E_AGENTS_LOST: ExitCode.invalidRun,
  E_INTERRUPTED: ExitCode.interrupted,
};

export function exitCodeOf(code: ErrorCode): ExitCodeValue {
  return EXIT_CODE_OF[code];
}

export class ToolError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
    this.exitCode = exitCodeOf(code);
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
