#!/usr/bin/env node
/**
 * A yardstick for `npm run bench`: the least an evenly paced open-loop HTTP client written
 * in Node can cost on this machine. One preformatted GET per slot on a pool of keep-alive
 * connections, answers counted and nothing else (no histograms, no timeouts, no checks).
 * Paced by setTimeout by default: ~1 ms late at p99, and it often sends two slots a wake-up,
 * so cheaper than precise, not better. With `timerfd` it sleeps on the same compiled timer
 * as bench-router (one wake-up a slot, sub-millisecond): what keeping the schedule itself
 * costs here, with none of the bookkeeping.
 * Usage: node paced-loop.js URL RATE SECONDS CONNECTIONS [timerfd]; prints the answers per
 * second (exit 3 when `timerfd` is asked for and the timer is not built here).
 */
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import type { PreciseTimerBinding } from '../src/timing/native-timer.js';

const [url, rateArg, secondsArg, connArg, pacing] = process.argv.slice(2);
const u = new URL(url!);
const rate = Number(rateArg);
const lengthMs = Number(secondsArg) * 1000;
const request = `GET ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\n\r\n`;
const free: Socket[] = [];
let answers = 0;
const readBuf = Buffer.alloc(64 * 1024);

async function main(): Promise<void> {
  const timer = pacing === 'timerfd' ? preciseTimer() : undefined;
  if (timer === null) process.exit(3);
  await Promise.all(
    Array.from(
      { length: Number(connArg ?? 32) },
      () =>
        new Promise<void>((resolve) => {
          const sock: Socket = connect(
            {
              host: u.hostname,
              port: Number(u.port),
              onread: {
                buffer: readBuf,
                // One small answer per read here (nginx's fixed body); good enough for a floor.
                callback: () => {
                  answers++;
                  free.push(sock);
                  return true;
                },
              },
            },
            () => {
              free.push(sock);
              resolve();
            },
          );
          sock.setNoDelay(true);
        }),
    ),
  );
  const t0 = performance.now();
  let k = 0;
  const tick = (): void => {
    const now = performance.now();
    for (; t0 + (k * 1000) / rate <= now; k++) free.pop()?.write(request);
    if (now - t0 >= lengthMs) {
      process.stdout.write(`${(answers / (lengthMs / 1000)).toFixed(1)}\n`);
      process.exit(0);
    }
    wait(t0 + (k * 1000) / rate - performance.now());
  };
  let wait = (ms: number): void => void setTimeout(tick, Math.max(0, ms));
  if (timer) {
    const handle = timer.create(tick);
    wait = (ms) => timer.arm(handle, ms);
  }
  tick();
}

/**
 * The compiled timer (native/precise_timer.c), required by its path from this file
 * (build/bench/): nativeTimerBinding() finds it through util/code-dir, which expects the
 * code one level below dist/ and would look under build/ here.
 */
function preciseTimer(): PreciseTimerBinding | null {
  try {
    return createRequire(import.meta.url)(
      '../../native/build/Release/precise_timer.node',
    ) as PreciseTimerBinding;
  } catch {
    return null;
  }
}

void main();
