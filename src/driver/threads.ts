import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { ToolError, type ErrorCode } from '../errors.js';
import { wallClock } from '../timing/clock.js';
import {
  Shard,
  addLive,
  NO_LIVE,
  type LiveStats,
  type ShardPlan,
  type ShardResult,
} from './shard.js';
import { CODE_DIR } from '../util/code-dir.js';

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
  | { type: 'error'; code?: ErrorCode; message: string };

export interface ShardSet {
  /** Resolves when every shard is connected and the schedules have been started. */
  started: Promise<number>;
  results: Promise<ShardResult[]>;
  live(): LiveStats;
  stop(): void;
}

/** Lead time between "all ready" and the first slot, so no shard starts behind. */
const START_LEAD_MS = 50;

/**
 * Decides the common start once every shard is connected. Locally that is "now + lead";
 * on a generator agent it is the coordinator's start instant, in this machine's clock.
 */
export type StartAt = () => Promise<number>;

const startSoon: StartAt = () => Promise.resolve(wallClock.now() + START_LEAD_MS);

export function runShards(plans: ShardPlan[], startAt: StartAt = startSoon): ShardSet {
  if (plans.length === 1) return runInline(plans[0]!, startAt);
  const lives: LiveStats[] = plans.map(() => NO_LIVE);
  const workers = plans.map(
    (plan) => new Worker(join(CODE_DIR, 'driver', 'worker.js'), { workerData: plan }),
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
          else failed(threadError(i, m));
        });
        w.on('error', failed);
        w.on('exit', (code) => failed(new Error(`generator thread ${i} exited with code ${code}`)));
      }),
    );
  });
  const all = Promise.all(results);
  all.catch(() => workers.forEach((w) => void w.terminate()));
  const started = Promise.all(ready).then(async () => {
    const startMs = await startAt();
    workers.forEach((w) => w.postMessage({ type: 'start', startMs } satisfies ToWorker));
    return startMs;
  });
  started.catch(() => workers.forEach((w) => void w.terminate()));
  return {
    started,
    results: all,
    live: () => lives.reduce(addLive, NO_LIVE),
    stop: () => workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies ToWorker)),
  };
}

/**
 * A worker's failure as this thread sees it: a typed error keeps its code (an unreachable
 * target, bad TLS files: the user's to fix); anything else is a bug in the generator and
 * must read as one (exit 4), not as a target that could not be reached.
 */
function threadError(i: number, m: { code?: ErrorCode; message: string }): Error {
  return m.code
    ? new ToolError(m.code, m.message)
    : new Error(`generator thread ${i} failed: ${m.message}`);
}

function runInline(plan: ShardPlan, startAt: StartAt): ShardSet {
  const shard = new Shard(plan);
  const started = shard.prepare().then(startAt);
  const results = started.then((startMs) => shard.run(startMs)).then((r) => [r]);
  // The caller awaits `started` first; a failed start must not also surface as unhandled.
  // A start that never comes (an agent's cancelled plan) must not leave connections open.
  results.catch(() => undefined);
  started.catch(() => shard.close());
  return { started, results, live: () => shard.live(), stop: () => shard.stop() };
}
