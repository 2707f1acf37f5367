import { Worker } from 'node:worker_threads';
import { ToolError, type ErrorCode } from '../errors.js';
import { wallClock } from '../util/wake-scheduler.js';
import { Shard, type LiveStats, type ShardPlan, type ShardResult } from './shard.js';

/**
 * Runs shards in the main thread (one) or in worker threads (several), all starting their
 * schedules at one instant once every shard is connected. The caller gets one ShardResult
 * per shard to merge, and a live view summed across shards.
 */
export type ToWorker = { type: 'start'; startMs: number } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'live'; live: LiveStats }
  | { type: 'result'; result: ShardResult }
  | { type: 'error'; code?: ErrorCode; exitCode?: number; message: string };

export interface ShardSet {
  /** Resolves when every shard is connected and the schedules have been started. */
  started: Promise<number>;
  results: Promise<ShardResult[]>;
  live(): LiveStats;
  stop(): void;
}

/** Lead time between "all ready" and the first slot, so no shard starts behind. */
const START_LEAD_MS = 50;

export function runShards(plans: ShardPlan[]): ShardSet {
  if (plans.length === 1) return runInline(plans[0]!);
  const lives: LiveStats[] = plans.map(() => ({
    ok: 0,
    errors: 0,
    timeouts: 0,
    inFlight: 0,
    p99Ms: 0,
  }));
  const workers = plans.map(
    (plan) => new Worker(new URL('./worker.js', import.meta.url), { workerData: plan }),
  );
  const ready: Promise<void>[] = [];
  const results: Promise<ShardResult>[] = [];
  workers.forEach((w, i) => {
    let onReady!: () => void;
    let failReady!: (e: Error) => void;
    ready.push(new Promise<void>((res, rej) => ((onReady = res), (failReady = rej))));
    results.push(
      new Promise<ShardResult>((resolve, reject) => {
        const failed = (e: Error): void => {
          failReady(e);
          reject(e);
        };
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') onReady();
          else if (m.type === 'live') lives[i] = m.live;
          else if (m.type === 'result') resolve(m.result);
          else failed(new ToolError(m.code ?? 'E_TARGET_UNREACHABLE', m.message, m.exitCode));
        });
        w.on('error', failed);
        w.on('exit', (code) => failed(new Error(`generator thread ${i} exited with code ${code}`)));
      }),
    );
  });
  const all = Promise.all(results);
  all.catch(() => workers.forEach((w) => void w.terminate()));
  const started = Promise.all(ready).then(() => {
    const startMs = wallClock.now() + START_LEAD_MS;
    workers.forEach((w) => w.postMessage({ type: 'start', startMs } satisfies ToWorker));
    return startMs;
  });
  started.catch(() => workers.forEach((w) => void w.terminate()));
  return {
    started,
    results: all,
    // p99 across threads is not additive: the largest per-thread p99 is the honest upper view
    // for the progress line; the final result merges the histograms exactly.
    live: () =>
      lives.reduce((a, b) => ({
        ok: a.ok + b.ok,
        errors: a.errors + b.errors,
        timeouts: a.timeouts + b.timeouts,
        inFlight: a.inFlight + b.inFlight,
        p99Ms: Math.max(a.p99Ms, b.p99Ms),
      })),
    stop: () => workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies ToWorker)),
  };
}

function runInline(plan: ShardPlan): ShardSet {
  const shard = new Shard(plan);
  const started = shard.prepare().then(() => wallClock.now() + START_LEAD_MS);
  const results = started.then((startMs) => shard.run(startMs)).then((r) => [r]);
  // The caller awaits `started` first; a failed start must not also surface as unhandled.
  results.catch(() => undefined);
  return { started, results, live: () => shard.live(), stop: () => shard.stop() };
}
