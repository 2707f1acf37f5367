import { randomBytes } from 'node:crypto';
import type { LiveStats } from '../driver/shard.js';
import { ExitCode } from '../errors.js';
import type { LiveMetricsServer } from '../report/live-metrics.js';
import type { RateProfile } from '../schedule/profile.js';
import type { Scenario } from '../scenario/scenario.js';
import { wallClock } from '../timing/clock.js';
import type { BenchIo, RunContext } from './context.js';

/** The running shards, as the observer sees them. */
export interface Observed {
  live(): LiveStats;
  stop(): void;
}

/**
 * Phase 2: what watches the run from outside — live metrics (one endpoint for every repeat,
 * one run label) and Ctrl-C/SIGTERM (stop, write a partial result; twice: abort).
 */
export class RunObserver {
  readonly runLabel = randomBytes(4).toString('hex');
  readonly interrupt = new AbortController();
  interruptedAtMs: number | undefined;
  /** What Ctrl-C stops; from its start on, also what live metrics read. */
  private shards: Observed | undefined;
  private liveShards: Observed | undefined;
  private startMs: number | undefined;
  private live: LiveMetricsServer | undefined;
  private ownLive = false;

  private constructor(
    private readonly s: Scenario,
    private readonly io: BenchIo,
  ) {}

  static async start(
    s: Scenario,
    io: BenchIo,
    ctx: RunContext,
    profile: RateProfile | undefined,
  ): Promise<RunObserver> {
    const o = new RunObserver(s, io);
    o.ownLive = !ctx.live && s.outputs.metricsListen !== undefined;
    o.live = o.ownLive
      ? await (
          await import('../report/live-metrics.js')
        ).startLiveMetrics(s.outputs.metricsListen!, o.runLabel, s.name)
      : ctx.live?.server;
    o.live?.setSource({
      labels: ctx.live?.labels ?? {},
      stats: () => o.liveShards?.live(),
      targetRate: () =>
        profile && o.startMs !== undefined
          ? profile.rateAt(wallClock.now() - o.startMs)
          : s.load.rate,
    });
    if (o.live && o.ownLive && !io.quiet)
      io.stderr.write(`live metrics at ${o.live.url} (run="${o.runLabel}")\n`);
    process.on('SIGINT', o.onSignal);
    process.on('SIGTERM', o.onSignal);
    return o;
  }

  get interrupted(): boolean {
    return this.interruptedAtMs !== undefined;
  }

  /** These shards are the run now (stopped at once if an interrupt came first). */
  watch(shards: Observed): void {
    this.shards = shards;
    if (this.interrupted) shards.stop();
  }

  /** The watched shards started at this instant: live metrics follow them now. */
  started(startMs: number): void {
    this.liveShards = this.shards;
    this.startMs = startMs;
  }

  private onSignal = (): void => {
    if (this.interrupted) process.exit(ExitCode.interrupted); // second Ctrl-C
    this.interruptedAtMs = wallClock.now();
    this.interrupt.abort();
    this.io.stderr.write(
      '\ninterrupted: stopping, writing a partial result (Ctrl-C again to abort)\n',
    );
    this.shards?.stop();
  };

  async close(): Promise<void> {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    if (this.live && this.ownLive) {
      // The final values stay up for the scrapes after the run, unless interrupted.
      if (!this.interrupted)
        await new Promise((r) => setTimeout(r, this.s.outputs.metricsLingerMs));
      await this.live.close();
    }
  }
}
