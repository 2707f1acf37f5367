import type { ProbeSample } from '../record/samples.js';
export type { ProbeSample } from '../record/samples.js';
import { readFile } from 'node:fs/promises';

/**
 * Target probes, sampled once a second: a process by pid (/proc), a Prometheus endpoint, or
 * a nats-server's /varz. Each reads memory and CPU (as a cumulative CPU-seconds counter or
 * a percentage) plus a few extras; a failed read is skipped, never invented.
 */

export interface ProbeReading {
  memMb: number;
  /** Cumulative CPU seconds (turned into % between samples)… */
  cpuSec?: number;
  /** …or a percentage the source computes itself. */
  cpuPct?: number;
  extra?: Record<string, number>;
}

// USER_HZ is 100 on every Linux architecture Node supports.
const CLK_TCK = 100;

export async function readProcStat(pid: number): Promise<ProbeReading> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  // The command name (field 2) may contain spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSec = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuSec, memMb: rssKb / 1024 };
}

/** Prometheus text format: the first sample of each named metric. */
export function parsePromText(text: string, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !names.includes(m[1]!) || out[m[1]!] !== undefined) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) out[m[1]!] = v;
  }
  return out;
}

export function promReader(
  url: string,
  memMetric: string,
  cpuMetric: string,
): () => Promise<ProbeReading> {
  return async () => {
    const r = await fetch(url, { signal: AbortSignal.timeout(900) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const v = parsePromText(await r.text(), [memMetric, cpuMetric]);
    if (v[memMetric] === undefined) throw new Error(`no ${memMetric}`);
    return {
      memMb: v[memMetric]! / 1048576,
      ...(v[cpuMetric] !== undefined ? { cpuSec: v[cpuMetric] } : {}),
    };
  };
}

export function varzReader(url: string): () => Promise<ProbeReading> {
  return async () => {
    const r = await fetch(url, { signal: AbortSignal.timeout(900) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const v = (await r.json()) as Record<string, number>;
    return {
      memMb: (v.mem ?? 0) / 1048576,
      cpuPct: v.cpu ?? 0,
      extra: {
        slow_consumers: v.slow_consumers ?? 0,
        in_msgs: v.in_msgs ?? 0,
        out_msgs: v.out_msgs ?? 0,
        connections: v.connections ?? 0,
      },
    };
  };
}

export class TargetProbe {
  readonly samples: ProbeSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last: { atMs: number; cpuSec: number } | undefined;
  lastError: string | undefined;

  constructor(
    readonly kind: 'pid' | 'prom' | 'nats-varz',
    readonly source: string,
    private readonly read: () => Promise<ProbeReading>,
    private readonly everyMs = 1000,
  ) {}

  static pid(pid: number): TargetProbe {
    return new TargetProbe('pid', String(pid), () => readProcStat(pid));
  }

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
      const s = await this.read();
      let cpuPct = s.cpuPct;
      if (s.cpuSec !== undefined) {
        if (this.last)
          cpuPct =
            (100 * (s.cpuSec - this.last.cpuSec) * 1000) / Math.max(1, atMs - this.last.atMs);
        this.last = { atMs, cpuSec: s.cpuSec };
      }
      this.samples.push({
        atMs,
        memMb: s.memMb,
        ...(cpuPct !== undefined ? { cpuPct } : {}),
        ...(s.extra ? { extra: s.extra } : {}),
      });
    } catch (e) {
      this.lastError = (e as Error).message; // the target may be gone: keep what we have
    }
  }
}
