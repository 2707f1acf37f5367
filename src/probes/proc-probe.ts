import { readFile } from 'node:fs/promises';

/**
 * Samples a process's RSS and CPU from /proc once a second. Linux only; elsewhere the probe
 * reports nothing rather than inventing numbers.
 */
export interface ProbeSample {
  /** Epoch ms. */
  atMs: number;
  memMb: number;
  /** CPU since the previous sample, in % of one core. */
  cpuPct?: number;
}

// USER_HZ is 100 on every Linux architecture Node supports.
const CLK_TCK = 100;

export async function readProcStat(pid: number): Promise<{ cpuSec: number; rssMb: number }> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSec: (utime + stime) / CLK_TCK, rssMb: rssKb / 1024 };
}

export class PidProbe {
  readonly samples: ProbeSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: { atMs: number; cpuSec: number } | undefined;
  lastError: string | undefined;

  constructor(
    readonly pid: number,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sample();
  }

  private async sample(): Promise<void> {
    const atMs = Date.now();
    try {
      const s = await readProcStat(this.pid);
      const cpuPct = this.last
        ? (100 * (s.cpuSec - this.last.cpuSec) * 1000) / Math.max(1, atMs - this.last.atMs)
        : undefined;
      this.last = { atMs, cpuSec: s.cpuSec };
      this.samples.push(
        cpuPct === undefined ? { atMs, memMb: s.rssMb } : { atMs, memMb: s.rssMb, cpuPct },
      );
    } catch (e) {
      this.lastError = (e as Error).message; // the process may have exited: keep what we have
    }
  }
}
