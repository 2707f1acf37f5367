import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { ExitCode, ToolError, exitCodeOf } from '../../src/errors.js';
import { generatorFinding, invalidLine, judgeRun } from '../../src/result/validity.js';
import { classifyNatsError } from '../../src/transports/nats.js';

describe('judgeRun: one judge of a valid run', () => {
  it('a complete run with a generator that kept up is valid, exit 0', () => {
    const v = judgeRun({ run: { interrupted: false }, generator: { saturated: false } });
    expect(v).toEqual({ valid: true, findings: [], exitCode: ExitCode.ok });
    // An old document without the fields is judged on what it has.
    expect(judgeRun({}).valid).toBe(true);
  });

  it('saturation and lost agents make an invalid run (3), with their reasons', () => {
    const sat = judgeRun({
      generator: { saturated: true, reasons: ['send lag p99 12 ms > 10 ms'] },
    });
    expect(sat.valid).toBe(false);
    expect(sat.exitCode).toBe(ExitCode.invalidRun);
    expect(sat.findings).toEqual([
      {
        problem: 'saturated',
        summary: 'the load generator saturated',
        reasons: ['send lag p99 12 ms > 10 ms'],
      },
    ]);
    const lost = judgeRun({
      run: { partial: true },
      agents: [
        { name: 'a1', state: 'done' },
        { name: 'a2', state: 'lost', reason: 'silent 3 s' },
      ],
    });
    expect(lost.exitCode).toBe(ExitCode.invalidRun);
    expect(lost.findings[0]!.reasons).toEqual(['generator agents were lost: a2 (silent 3 s)']);
    // What a --quiet run prints for them: every finding, with its first detail.
    expect(invalidLine({ generator: { saturated: true, reasons: ['lag', 'cpu'] } })).toBe(
      'not a valid run (exit 3): the load generator saturated: lag',
    );
    expect(
      invalidLine({ run: { partial: true }, generator: { saturated: true, reasons: [] } }),
    ).toBe(
      'not a valid run (exit 3): agents were lost (partial result): generator agents were lost; the load generator saturated',
    );
  });

  it('an interrupt outranks everything (130); the generator finding is still there', () => {
    const v = judgeRun({
      run: { interrupted: true, partial: false },
      generator: { saturated: true, reasons: [] },
    });
    expect(v.exitCode).toBe(ExitCode.interrupted);
    expect(v.findings.map((f) => f.problem)).toEqual(['interrupted', 'saturated']);
    expect(generatorFinding(v)).toMatchObject({ problem: 'saturated', reasons: ['saturated'] });
    expect(generatorFinding(judgeRun({ run: { interrupted: true } }))).toBeUndefined();
  });
});

describe('error codes -> exit codes', () => {
  it('every typed error exits with its code from the one table', () => {
    expect(new ToolError('E_USAGE', 'x').exitCode).toBe(ExitCode.badInput);
    expect(new ToolError('E_AGENTS_LOST', 'x').exitCode).toBe(ExitCode.invalidRun);
    expect(new ToolError('E_INTERRUPTED', 'x').exitCode).toBe(ExitCode.interrupted);
    expect(exitCodeOf('E_TARGET_UNREACHABLE')).toBe(ExitCode.badInput);
  });
});

describe('NATS errors by nats.js class', () => {
  it('timeouts, lost connections and anything else', () => {
    expect(classifyNatsError(new errors.TimeoutError())).toMatchObject({ kind: 'timeout' });
    expect(classifyNatsError(new errors.ClosedConnectionError())).toEqual({
      kind: 'error',
      cls: 'connection_error',
    });
    expect(classifyNatsError(new errors.ConnectionError('reset'))).toMatchObject({
      cls: 'connection_error',
    });
    // A message that merely mentions a timeout is not one: only nats.js's class says so.
    expect(classifyNatsError(new Error('permissions timeout violation'))).toEqual({
      kind: 'error',
      cls: 'nats_error',
    });
  });
});
