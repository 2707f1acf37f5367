import { Recorder, type RecorderSnapshot } from '../record/recorder.js';
import { createSchedule, type Arrival } from '../schedule/arrivals.js';
import { peakRate, RateProfile, type Segment } from '../schedule/profile.js';
import { addMeasured, type MeasuredLive } from '../record/live-latency.js';
import { GeneratorProbe, type GeneratorHealth } from '../probes/generator-probe.js';
import { createTransport, type TransportConfig } from '../transports/create.js';
import type { Transport } from '../transports/transport.js';
import { wallClock } from '../timing/clock.js';
import { sleepUntil } from '../timing/idle-sleep.js';
import { preciseTimers, timerKind } from '../timing/timers.js';
import { ClosedLoopDriver } from './closed-loop.js';
import { OpenLoopDriver } from './open-loop.js';
import { ConsumeDriver } from './consume-loop.js';
import type { NatsConsumeSource, ConsumeTarget } from '../transports/nats-consume.js';
import { DataFeeder, type DataSpec } from '../workload/feeder.js';
import { KindPicker } from '../workload/mix.js';

/**
 * One share of a run, complete in itself: transport, driver, recorder, self-probe. Runs in
 * the main thread or in a worker thread; the plan and the result are plain data, so the
 * same shape can later travel to a generator agent over NATS. Two phases (prepare, then
 * start at a common instant) keep thread start-up out of the schedule.
 */
export interface ShardPlan {
  transport: TransportConfig;
  /** Open loop when `rate` (or `profile`) is set; closed loop with `concurrency` otherwise. */
  rate?: number;
  /** Stages: the whole schedule's rate over time, warm-up first (plain data for workers). */
  profile?: Segment[];
  arrival: Arrival;
  seed: number;
  share: { index: number; count: number };
  concurrency?: number;
  warmupMs: number;
  durationMs: number;
  maxInFlight: number;
  timeoutMs: number;
  /** Keep the 100 ms timeline (fault runs). */
  timeline?: boolean;
  /** A weighted request mix: kind k is named names[k]; the transport has its request. */
  mix?: { names: string[]; weights: number[] };
  /** A data feeder: this share reads its own rows of the file. */
  data?: DataSpec;
  /** `--mode consume`: read this consumer instead of sending (transport: the connection). */
  consume?: ConsumeTarget;
}

export interface ShardResult {
  snapshot: RecorderSnapshot;
  health: GeneratorHealth;
}

export interface LiveStats {
  ok: number;
  errors: number;
  timeouts: number;
  inFlight: number;
  p99Ms: number;
  /** The measured window only (warm-up excluded), for live metrics; additive. */
  measured?: MeasuredLive;
}

export const NO_LIVE: LiveStats = { ok: 0, errors: 0, timeouts: 0, inFlight: 0, p99Ms: 0 };

/** Live totals across shards. p99 is not additive: the largest is the honest upper view for
 * a progress line; final results merge the histograms exactly. */
export function addLive(a: LiveStats, b: LiveStats): LiveStats {
  const measured =
    a.measured && b.measured ? addMeasured(a.measured, b.measured) : (a.measured ?? b.measured);
  return {
    ok: a.ok + b.ok,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    inFlight: a.inFlight + b.inFlight,
    p99Ms: Math.max(a.p99Ms, b.p99Ms),
    ...(measured ? { measured } : {}),
  };
}

export class Shard {
  private recorder: Recorder | undefined;
  private driver: OpenLoopDriver | ClosedLoopDriver | ConsumeDriver | undefined;
  private transport: Transport | undefined;
  private source: NatsConsumeSource | undefined;
  private feeder: DataFeeder | undefined;
  private readonly probe = new GeneratorProbe();
  private interrupted = false;

  constructor(private readonly plan: ShardPlan) {}

  live(): LiveStats {
    const r = this.recorder?.live() ?? { ok: 0, errors: 0, timeouts: 0, p99Ms: 0 };
    return { ...r, inFlight: this.driver?.inFlight ?? 0 };
  }

  async prepare(): Promise<void> {
    const t = this.plan.transport;
    await preciseTimers().ready();
    if (this.plan.consume && t.kind === 'nats') {
      // The JetStream client loads only for consume runs (start-up cost of every other run).
      const { NatsConsumeSource } = await import('../transports/nats-consume.js');
      this.source = new NatsConsumeSource(t, this.plan.consume);
      await this.source.open();
      return;
    }
    this.transport = await createTransport(t);
    await this.transport.open();
    if (this.plan.data) {
      // Rows are read ahead before the start, so the first requests do not wait for them.
      this.feeder = new DataFeeder(this.plan.data, this.plan.share, this.plan.seed);
      await this.feeder.open();
    }
  }

  async run(startMs: number): Promise<ShardResult> {
    if (this.source) return this.consume(this.source, startMs);
    const p = this.plan;
    const transport = this.transport!;
    const measureStartMs = startMs + p.warmupMs;
    const endMs = measureStartMs + p.durationMs;
    const recorder = (this.recorder = new Recorder(
      measureStartMs,
      endMs,
      p.timeline ?? false,
      p.mix?.names,
    ));
    let measuring: NodeJS.Timeout | undefined;
    try {
      measuring = this.measureFrom(measureStartMs);
      const common = {
        transport,
        recorder,
        clock: wallClock,
        timeoutMs: p.timeoutMs,
        seqStart: p.share.index,
        seqStep: p.share.count,
        source: {
          picker: p.mix ? new KindPicker(p.mix.weights, p.seed) : undefined,
          feeder: this.feeder,
        },
      };
      const profile = p.profile ? new RateProfile(p.profile) : undefined;
      // With stages the wake strategy is chosen for the peak rate (the grid when it is high).
      const rate = profile ? peakRate(profile.segments) : p.rate;
      this.driver =
        rate !== undefined
          ? new OpenLoopDriver({
              ...common,
              timers: preciseTimers(),
              // Sleeping this thread through a gap saves the wake thread's second wake-up; a
              // timerfd has none to save, and would block reading meanwhile.
              ...(timerKind() === 'wake_thread'
                ? { idleSleep: (dueMs: number) => sleepUntil(wallClock, dueMs) }
                : {}),
              maxInFlight: p.maxInFlight,
              endMs,
              meanGapMs: (1000 * p.share.count) / rate,
              schedule: createSchedule({
                arrival: p.arrival,
                rate,
                startMs,
                lengthMs: p.warmupMs + p.durationMs,
                seed: p.seed,
                share: p.share,
                ...(profile ? { profile } : {}),
              }),
            })
          : new ClosedLoopDriver({ ...common, concurrency: p.concurrency ?? 1, startMs, endMs });
      const finished = this.driver.run();
      if (this.interrupted) this.driver.stop();
      await finished;
      return { snapshot: recorder.snapshot(), health: this.health() };
    } finally {
      clearTimeout(measuring);
      this.feeder?.close();
      await transport.close();
    }
  }

  private async consume(source: NatsConsumeSource, startMs: number): Promise<ShardResult> {
    const p = this.plan;
    const measureStartMs = startMs + p.warmupMs;
    const recorder = (this.recorder = new Recorder(measureStartMs, measureStartMs + p.durationMs));
    let measuring: NodeJS.Timeout | undefined;
    try {
      measuring = this.measureFrom(measureStartMs);
      this.driver = new ConsumeDriver({
        source,
        recorder,
        clock: wallClock,
        startMs,
        endMs: measureStartMs + p.durationMs,
      });
      const finished = this.driver.run();
      if (this.interrupted) this.driver.stop();
      await finished;
      return { snapshot: recorder.snapshot(), health: this.health() };
    } finally {
      clearTimeout(measuring);
      await source.close();
    }
  }

  /** The probe's figures, and which timer kept this thread's time (an agent's row says). */
  private health(): GeneratorHealth {
    return { ...this.probe.stop(), timer: timerKind() };
  }

  /**
   * Starts the generator's probe and moves its window to the measurement when that begins,
   * so the health figures leave the warm-up out as the metrics do. Returns the timer to clear.
   */
  private measureFrom(measureStartMs: number): NodeJS.Timeout | undefined {
    this.probe.start();
    const wait = measureStartMs - wallClock.now();
    if (wait <= 0) return undefined;
    return setTimeout(() => this.probe.measuring(), wait).unref();
  }

  /** Releases the connections of a shard that was prepared but will never run. */
  async close(): Promise<void> {
    this.feeder?.close();
    await this.transport?.close();
    await this.source?.close();
  }

  stop(): void {
    this.interrupted = true;
    this.driver?.stop();
  }
}
