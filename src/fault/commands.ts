import { exec } from 'node:child_process';

/** Runs a fault or recovery command through the shell; `{pid}` is the target's pid. */
export interface CommandRun {
  cmd: string;
  at_s: number;
  exit_code: number | null;
  output: string;
}

export function runFaultCommand(
  template: string,
  pid: number | undefined,
  atS: number,
): Promise<CommandRun> {
  const cmd = pid !== undefined ? template.replaceAll('{pid}', String(pid)) : template;
  return new Promise((resolve) => {
    exec(cmd, { timeout: 30_000, shell: '/bin/sh' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({
        cmd,
        at_s: atS,
        exit_code: code,
        output: `${stdout}${stderr}`.trim().slice(0, 500),
      });
    });
  });
}
