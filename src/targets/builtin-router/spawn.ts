import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ToolError } from '../../errors.js';
import { stopChild } from '../../util/stop-child.js';
import type { RouterKnobs } from './knobs.js';
import { knobsToArgs } from './knob-args.js';
import { builtFile } from '../../util/code-dir.js';

/**
 * Starts the reference router in its own process, so its CPU and memory are the target's,
 * not the generator's, and can be probed by pid.
 */
export interface RouterProcess {
  pid: number;
  httpUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function routerEntry(): string {
  // Under the test runner this module is TypeScript source; the child runs the build.
  return builtFile('cli', 'builtin-router.js');
}

export async function spawnRouter(
  knobs: Partial<RouterKnobs>,
  nats?: { url: string; ca?: string },
  startTimeoutMs = 10_000,
): Promise<RouterProcess> {
  const natsArgs = nats ? ['--nats', nats.url, ...(nats.ca ? ['--nats-ca', nats.ca] : [])] : [];
  const args = [routerEntry(), '--port', '0', ...knobsToArgs(knobs), ...natsArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ http: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('did not start in time')), startTimeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { http: string });
      } catch {
        reject(new Error(`unexpected output: ${line}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  }).catch((e: Error) => {
    child.kill('SIGKILL');
    throw new ToolError('E_TARGET_START', `built-in router: ${e.message}`);
  });
  return {
    pid: child.pid!,
    httpUrl: ready.http,
    child,
    stop: () => stopChild(child, 3000),
  };
}
