import { parentPort, workerData } from 'node:worker_threads';
import { isToolError, oneLine } from '../errors.js';
import { Shard, type ShardPlan } from './shard.js';
import type { ToWorker, FromWorker } from './threads.js';

/** Worker-thread entry: prepares one shard, waits for the common start, posts the result. */
const port = parentPort!;
const shard = new Shard(workerData as ShardPlan);
const post = (m: FromWorker): void => port.postMessage(m);
let live: NodeJS.Timeout | undefined;

const fail = (e: unknown): void =>
  post({
    type: 'error',
    code: isToolError(e) ? e.code : undefined,
    message: oneLine(e),
  });

const finish = (): void => {
  if (live) clearInterval(live);
  port.close();
};

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') shard.stop();
  else if (m.type === 'start') {
    live = setInterval(() => post({ type: 'live', live: shard.live() }), 250);
    shard
      .run(m.startMs)
      .then((result) => post({ type: 'result', result }))
      .catch(fail)
      .finally(finish);
  }
});

shard.prepare().then(
  () => post({ type: 'ready' }),
  (e: unknown) => {
    fail(e);
    finish();
  },
);
