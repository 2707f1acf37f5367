import { runFaultCommand, type CommandRun } from '../fault/commands.js';
import type { Scenario } from '../scenario/scenario.js';
import { wallClock } from '../timing/clock.js';
import type { BenchIo } from './context.js';

/** Fault and recovery commands at their times after the end of warm-up (first run only). */
export function scheduleFault(
  s: Scenario,
  measureStartMs: number,
  pid: number | undefined,
  io: BenchIo,
): Promise<CommandRun>[] {
  const f = s.fault!;
  const at = (ms: number, cmd: string): Promise<CommandRun> =>
    new Promise((resolve) => {
      setTimeout(
        () => {
          if (!io.quiet) io.stderr.write(`\nfault: running "${cmd}" at ${ms / 1000}s\n`);
          void runFaultCommand(cmd, pid, ms / 1000).then(resolve);
        },
        Math.max(0, measureStartMs + ms - wallClock.now()),
      );
    });
  const runs = [at(f.atMs, f.cmd)];
  if (f.recoverCmd !== undefined && f.recoverAtMs !== undefined)
    runs.push(at(f.recoverAtMs, f.recoverCmd));
  return runs;
}
