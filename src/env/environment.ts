import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import si from 'systeminformation';

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

export async function collectEnvironment(): Promise<Environment> {
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
  const commit = await git(['rev-parse', 'HEAD'], cwd);
  if (commit === null) return { commit: null, branch: null, dirty: null };
  const [branch, status] = await Promise.all([
    git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd),
    git(['status', '--porcelain', '--untracked-files=no'], cwd),
  ]);
  return {
    commit,
    branch: branch === 'HEAD' ? null : branch,
    dirty: status === null ? null : status.length > 0,
  };
}
