import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { bootKey, collectEnvironment, collectGit } from '../../src/env/environment.js';

const fake = {
  cpu_model: 'Fake CPU',
  cpu_cores: 99,
  mem_total_mb: 1,
  os: 'FakeOS 1',
  kernel: '0.0.1',
  node: 'v0.0.0',
};

describe('the machine description, read once per boot', () => {
  it('reads the machine, keeps it, and answers from the file while the key holds', async () => {
    const key = await bootKey();
    if (key === null) return expect(process.platform).not.toBe('linux'); // no boot id here
    const file = `${mkdtempSync(`${tmpdir()}/env-`)}/environment.json`;
    const first = await collectEnvironment(file);
    expect(first.cpu_cores).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ key, env: first });
    // A file with this boot's key is believed (node's version is always this process's)...
    writeFileSync(file, JSON.stringify({ key, env: fake }));
    expect(await collectEnvironment(file)).toEqual({ ...fake, node: process.version });
    // ...one from another boot (or machine image) is not, nor a damaged one.
    writeFileSync(file, JSON.stringify({ key: `${key}-other`, env: fake }));
    expect(await collectEnvironment(file)).toEqual(first);
    writeFileSync(file, '{"key":');
    expect(await collectEnvironment(file)).toEqual(first);
  });
});

describe('the commit under test', () => {
  it('names commit, branch and dirtiness; no branch when detached; nulls outside a repo', async () => {
    const dir = mkdtempSync(`${tmpdir()}/git-`);
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: dir,
        encoding: 'utf8',
      }).trim();
    expect(await collectGit(dir)).toEqual({ commit: null, branch: null, dirty: null });
    git('init', '-q', '-b', 'trunk');
    // A repository without a commit yet names none either.
    expect(await collectGit(dir)).toEqual({ commit: null, branch: null, dirty: null });
    writeFileSync(`${dir}/f`, 'a');
    git('add', 'f');
    git('commit', '-qm', 'one');
    const head = git('rev-parse', 'HEAD');
    expect(await collectGit(dir)).toEqual({ commit: head, branch: 'trunk', dirty: false });
    // Untracked files do not make it dirty; a changed tracked file does.
    writeFileSync(`${dir}/g`, 'new');
    expect(await collectGit(dir)).toEqual({ commit: head, branch: 'trunk', dirty: false });
    writeFileSync(`${dir}/f`, 'b');
    expect(await collectGit(dir)).toEqual({ commit: head, branch: 'trunk', dirty: true });
    git('checkout', '-q', '--detach');
    expect((await collectGit(dir)).branch).toBeNull();
  });
});
