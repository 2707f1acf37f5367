import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, homedir, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * Where a run happened, so the gate can refuse to compare runs from different machines.
 * systeminformation reads CPU, memory and OS the same way on every platform.
 */
export interface Environment {
  cpu_model: string;
  cpu_cores: number;
  mem_total_mb: number;
  os: string;
  kernel: string;
  node: string;
  nats_server?: string;
  jetstream?: boolean;
}

export interface GitInfo {
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
}

/**
 * The machine's description, read once per boot. systeminformation spawns ~15 processes
 * (lscpu twice, dmesg, ip, hostname...) for these few fields: ~0.25 s of CPU at the start of
 * every run, more than a whole second of load at 1,000 req/s costs. What it says cannot
 * change before a reboot, so it is kept in the user's cache directory, keyed by the boot
 * (and the kernel, memory, core count and systeminformation's version, in case a machine
 * image is cloned); the gate compares these strings, so they stay systeminformation's own.
 * Where there is no boot id (not Linux) or the file cannot be written, it is read each time.
 */
export async function collectEnvironment(file = environmentCacheFile()): Promise<Environment> {
  const key = await bootKey();
  if (key) {
    try {
      const cached = JSON.parse(await readFile(file, 'utf8')) as {
        key?: string;
        env?: Environment;
      };
      if (cached.key === key && cached.env) return { ...cached.env, node: process.version };
    } catch {
      // no cache yet, or an unreadable one: read the machine
    }
  }
  const env = await readMachine();
  if (key) await writeFileAtomic(file, JSON.stringify({ key, env })).catch(() => undefined);
  return env;
}

export function environmentCacheFile(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'perfkit', 'environment.json');
}

/** What the cached description is valid for; null where there is no boot id. */
export async function bootKey(): Promise<string | null> {
  try {
    const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const { default: pkg } = (await import('systeminformation/package.json', {
      with: { type: 'json' },
    })) as { default: { version: string } };
    return [boot, hostname(), release(), totalmem(), cpus().length, pkg.version].join('|');
  } catch {
    return null;
  }
}

async function readMachine(): Promise<Environment> {
  const { default: si } = await import('systeminformation');
  const [cpu, mem, os] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
  return {
    cpu_model: `${cpu.manufacturer} ${cpu.brand}`.trim(),
    cpu_cores: cpu.cores,
    mem_total_mb: Math.round(mem.total / (1024 * 1024)),
    os: `${os.distro} ${os.release}`.trim() || os.platform,
    kernel: os.kernel,
    node: process.version,
  };
}

const run = promisify(execFile);

async function git(args: string[], cwd: string): Promise<string | null> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: 5000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

/** The commit under test: the working directory's repository (the user's project). */
export async function collectGit(cwd = process.cwd()): Promise<GitInfo> {
  // Commit, branch and dirtiness from one git process: each is a fork of this one, ~8 ms of
  // CPU on the parent's side alone, paid at every start of every command. No ahead/behind
  // count: that walks history against the upstream, and nothing here reports it.
  const out = await git(
    ['status', '--porcelain=v2', '--branch', '--no-ahead-behind', '--untracked-files=no'],
    cwd,
  );
  if (out === null) return { commit: null, branch: null, dirty: null };
  let commit: string | null = null;
  let branch: string | null = null;
  let dirty = false;
  for (const line of out.split('\n')) {
    if (line.startsWith('# branch.oid ')) commit = line.slice(13);
    else if (line.startsWith('# branch.head ')) branch = line.slice(14);
    else if (line && !line.startsWith('#')) dirty = true;
  }
  // "(initial)": a repository with no commit yet; "(detached)": no branch.
  if (!commit || commit === '(initial)') return { commit: null, branch: null, dirty: null };
  return { commit, branch: !branch || branch === '(detached)' ? null : branch, dirty };
}
