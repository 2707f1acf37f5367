import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectEnvironment, collectGit } from '../../src/env/environment.js';
import { runBench } from '../../src/run/bench.js';
import { prepareTarget } from '../../src/run/target-phase.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { resultOnly } from '../../src/scenario/scenario.js';
import { expectCountersAddUp, tmp } from '../helpers/cli.js';

const io = { stdout: process.stdout, stderr: process.stderr, quiet: true };
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a target prepared once for many runs (capacity-sweep steps, compare rounds)', () => {
  it('keeps one built-in router through the runs, each with its own probe samples', async () => {
    const s = await resolveScenario(
      { target: 'builtin', rate: 200, duration: '2s', warmup: '0s' },
      { out: join(tmp(), 'a.json') },
    );
    const target = await prepareTarget(s);
    const pid = target.router!.pid;
    const ctx = { env: collectEnvironment(), git: collectGit(), target };
    try {
      const a = await runBench(s, io, ctx);
      const b = await runBench({ ...s, outputs: resultOnly(join(tmp(), 'b.json')) }, io, ctx);
      for (const { result, exitCode } of [a, b]) {
        expect(exitCode).toBe(0);
        expectCountersAddUp(result);
        expect(result.counters.ok).toBe(400);
        // The router's own probe, fresh per run: a 2 s run has ~3 samples, not both runs'.
        expect(result.probes?.[0]).toMatchObject({ kind: 'pid', source: String(pid) });
        expect(result.probes![0]!.samples).toBeLessThanOrEqual(4);
      }
      // Both runs went to the same router, which the runs left running.
      expect(alive(pid)).toBe(true);
    } finally {
      await target.stop();
    }
    expect(alive(pid)).toBe(false);
  });
});
