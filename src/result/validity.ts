import { ExitCode, type ExitCodeValue } from '../errors.js';

/**
 * The one judge of whether a run measured what its scenario asked for. bench-router's exit
 * code, the baseline it refuses to save, a capacity-sweep step, a gate's comparability and a
 * compare round all ask it, so "valid" means the same thing everywhere.
 *
 * It reads the fields every stored result has had (`run.interrupted`, `run.partial`,
 * `generator.saturated`), so it judges old baselines as well as a run of this version.
 */
export interface ValidityFacts {
  run?: { interrupted?: boolean; partial?: boolean };
  generator?: { saturated?: boolean; reasons?: string[] };
  agents?: { name: string; state: string; reason?: string }[];
}

/** Why a run is not a measurement of its target. */
export type Problem =
  | 'interrupted' // stopped early: less was measured than asked
  | 'partial' // generator agents were lost: less load was offered than asked
  | 'saturated'; // the generator could not keep its schedule: its numbers describe itself

export interface Finding {
  problem: Problem;
  /** Short, for a sentence ("... not saved: the generator saturated"). */
  summary: string;
  /** The details behind it (the generator's reasons, the agents that were lost). */
  reasons: string[];
}

export interface Validity {
  valid: boolean;
  /** Every problem found, most serious first (an interrupt, then lost agents, saturation). */
  findings: Finding[];
  /** What bench-router exits with for this run: 0, 3 (not a valid run) or 130. */
  exitCode: ExitCodeValue;
}

export function judgeRun(d: ValidityFacts): Validity {
  const findings: Finding[] = [];
  if (d.run?.interrupted === true)
    findings.push({
      problem: 'interrupted',
      summary: 'the run was interrupted',
      reasons: ['the run was interrupted'],
    });
  if (d.run?.partial === true) {
    const lost = (d.agents ?? []).filter((a) => a.state !== 'done');
    findings.push({
      problem: 'partial',
      summary: 'agents were lost (partial result)',
      reasons: [
        lost.length
          ? `generator agents were lost: ${lost.map((a) => `${a.name} (${a.reason ?? a.state})`).join(', ')}`
          : 'generator agents were lost',
      ],
    });
  }
  if (d.generator?.saturated === true)
    findings.push({
      problem: 'saturated',
      summary: 'the load generator saturated',
      reasons: d.generator.reasons?.length ? d.generator.reasons : ['saturated'],
    });
  const exitCode =
    findings[0]?.problem === 'interrupted'
      ? ExitCode.interrupted
      : findings.length
        ? ExitCode.invalidRun
        : ExitCode.ok;
  return { valid: findings.length === 0, findings, exitCode };
}

/** The finding about the generator (lost agents, saturation), if any: a sweep step's or a
 * gate's concern, where an interrupt is handled on its own. */
export function generatorFinding(v: Validity): Finding | undefined {
  return v.findings.find((f) => f.problem !== 'interrupted');
}

/** One line for a run that is not valid: what was found and the first detail of each. */
export function invalidLine(d: ValidityFacts): string {
  const v = judgeRun(d);
  const what = v.findings.map((f) =>
    f.reasons[0] && !f.summary.includes(f.reasons[0]) ? `${f.summary}: ${f.reasons[0]}` : f.summary,
  );
  return `not a valid run (exit ${v.exitCode}): ${what.join('; ')}`;
}
