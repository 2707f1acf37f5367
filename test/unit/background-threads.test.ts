import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NICER_BY } from '../../src/timing/background-threads.js';

const module = fileURLToPath(new URL('../../dist/timing/background-threads.js', import.meta.url));

/**
 * In a child process (it renices threads of its own process, not the test runner's): the
 * threads present at start lose priority, the main thread and threads started afterwards
 * (a wake thread, generator workers) keep theirs.
 */
describe.runIf(existsSync('/proc/self/task'))('yieldBackgroundThreads', () => {
  it('lowers the threads that exist before it, not the main thread or later ones', () => {
    const src = `
      const { readdirSync, readFileSync } = await import('node:fs');
      const { Worker } = await import('node:worker_threads');
      const { yieldBackgroundThreads } = await import(${JSON.stringify(module)});
      const nice = () => Object.fromEntries(readdirSync('/proc/self/task').map((t) => [t,
        Number(readFileSync('/proc/self/task/' + t + '/stat', 'utf8').split(') ')[1].split(' ')[16])]));
      const before = Object.keys(nice());
      yieldBackgroundThreads();
      const w = new Worker('setTimeout(() => {}, 2000)', { eval: true });
      await new Promise((r) => w.once('online', r));
      const after = nice();
      await w.terminate();
      console.log(JSON.stringify({ pid: process.pid, before, after }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', src], {
      encoding: 'utf8',
    });
    const { pid, before, after } = JSON.parse(out) as {
      pid: number;
      before: string[];
      after: Record<string, number>;
    };
    // Relative to the main thread: CI may run the whole job niced.
    const main = after[String(pid)]!;
    const background = before.filter((t) => t !== String(pid) && after[t] !== undefined);
    expect(background.length).toBeGreaterThan(0);
    for (const t of background) expect(after[t], `thread ${t}`).toBe(Math.min(19, main + NICER_BY));
    const later = Object.keys(after).filter((t) => !before.includes(t));
    expect(later.length).toBeGreaterThan(0);
    for (const t of later) expect(after[t], `thread ${t}`).toBe(main);
  });
});
