import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

/**
 * The README's "One example per tool" commands, run as written (npx -> the built CLI), in
 * order, from the repository root: the front page never shows a command that does not work.
 * A command's expected exit code is the "exit N" in the comment above it (else 0).
 */
function readmeCommands(): { command: string; args: string[]; exit: number }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('## One example per tool')[1]!.split('\n## ')[0]!;
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  const out: { command: string; args: string[]; exit: number }[] = [];
  let expected = 0;
  for (const line of block.split('\n')) {
    if (line.startsWith('#')) {
      expected = Number(/exit (\d+)/.exec(line)?.[1] ?? 0);
      continue;
    }
    if (!line.trim()) continue;
    const words = line.trim().split(/\s+/);
    expect(words[0], line).toBe('npx');
    out.push({ command: words[1]!, args: words.slice(2), exit: expected });
    expected = 0;
  }
  return out;
}

describe('README', () => {
  it('every example command runs as written and exits as its comment says', async () => {
    const commands = readmeCommands();
    expect(commands.map((c) => c.command)).toEqual(
      expect.arrayContaining(['bench-router', 'perf-gate', 'capacity-sweep']),
    );
    for (const c of commands) {
      const r = await runCli(c.args, {
        bin: join(ROOT, 'dist/cli', `${c.command}.js`),
        timeoutMs: 120_000,
      });
      expect(
        r.code,
        `npx ${c.command} ${c.args.join(' ')}\n${r.stderr}\n${r.stdout.slice(-2000)}`,
      ).toBe(c.exit);
    }
  }, 400_000);

  it('links only to files in the repository, never outside it', () => {
    for (const f of [
      'README.md',
      ...[
        'bench-router',
        'nats',
        'perf-gate',
        'capacity-sweep',
        'agents',
        'reports',
        'ARCHITECTURE',
      ].map((d) => `docs/${d}.md`),
    ]) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(text, f).not.toMatch(/\.\.\/shared/);
      for (const m of text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^https?:/.test(target)) continue;
        expect(() => readFileSync(join(ROOT, f, '..', target)), `${f} -> ${target}`).not.toThrow();
      }
    }
  });
});
