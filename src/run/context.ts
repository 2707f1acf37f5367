import type { Environment, GitInfo } from '../env/environment.js';
import type { BenchResult } from '../result/result.js';
import type { LiveMetricsServer } from '../report/live-metrics.js';
import type { PreparedTarget } from './target-phase.js';

/** What every phase of a run shares: where it writes, and what callers collect once. */
export interface BenchIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  quiet: boolean;
}

export interface BenchOutcome {
  result: BenchResult;
  exitCode: number;
}

/** What a caller running many short runs (perf-gate compare) collects once, not per run. */
export interface RunContext {
  env: Promise<Environment>;
  git: Promise<GitInfo>;
  /** A live-metrics endpoint the caller keeps across runs (capacity-sweep's steps). */
  live?: { server: LiveMetricsServer; labels: Record<string, string> };
  /**
   * A target the caller prepared once and keeps across runs (a sweep's steps, a compare
   * side's rounds): the run takes fresh probes of it and leaves it running.
   */
  target?: PreparedTarget;
}
