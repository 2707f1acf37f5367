import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { wallClock } from '../../src/timing/clock.js';
import {
  NATIVE_TIMER_FILE,
  NativeTimerWaker,
  nativeTimerBinding,
} from '../../src/timing/native-timer.js';
import { TimerQueue } from '../../src/timing/timer-queue.js';

/**
 * The compiled timer (native/precise_timer.c), loaded for real. Deadlines are checked for
 * order and for never firing early, which is what the dispatch loop relies on; how late
 * they fire is the benchmarks' business, not a unit test's.
 */
const native = nativeTimerBinding();
const linux = process.platform === 'linux' && process.env.PERFKIT_TIMER !== 'thread';

/** Runs a script in a fresh Node process that loads the timer; returns its exit and output. */
function child(body: string): { status: number | null; out: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      '-e',
      `const t = require(${JSON.stringify(NATIVE_TIMER_FILE)});
${body}`,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}`, ms: Date.now() - t0 };
}

describe('the precise timer', () => {
  it.runIf(linux)('is built by the install on Linux', () => {
    expect(native).not.toBeNull();
  });

  describe.runIf(native)('as built', () => {
    it('fires once per arm, never before its deadline; a later arm replaces an earlier one', async () => {
      const fired: number[] = [];
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const h = native!.create(() => {
        fired.push(wallClock.now());
        resolve();
      });
      const t0 = wallClock.now();
      native!.arm(h, 200); // replaced at once
      native!.arm(h, 3);
      await done;
      // Nothing more comes: the replaced deadline is gone.
      await new Promise((r) => setTimeout(r, 260));
      native!.close(h);
      expect(fired).toHaveLength(1);
      expect(fired[0]! - t0).toBeGreaterThanOrEqual(3 - 0.01);
      expect(fired[0]! - t0).toBeLessThan(200);
    });

    it('disarmed, does not fire; an already-due deadline fires at once', async () => {
      let calls = 0;
      const h = native!.create(() => calls++);
      native!.arm(h, 5);
      native!.arm(h, Infinity);
      await new Promise((r) => setTimeout(r, 30));
      expect(calls).toBe(0);
      native!.arm(h, -1);
      await new Promise((r) => setTimeout(r, 30));
      expect(calls).toBe(1);
      native!.close(h);
    });

    it('keeps deadlines in order behind a timer queue, none early', async () => {
      const q = new TimerQueue(wallClock, new NativeTimerWaker(native!, wallClock));
      const t0 = wallClock.now() + 2;
      const got: { i: number; due: number; at: number }[] = [];
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      // 200 deadlines 0.25 ms apart, added out of order.
      const order = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
      for (const i of order) {
        const due = t0 + i * 0.25;
        q.add(due, () => {
          got.push({ i, due, at: wallClock.now() });
          if (got.length === 200) resolve();
        });
      }
      await done;
      expect(got.map((g) => g.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      for (const g of got) expect(g.at).toBeGreaterThanOrEqual(g.due - 0.01);
    });

    it('rejects what is not a callback or a timer, and a closed timer', () => {
      expect(() => native!.create(123 as unknown as () => void)).toThrow(/needs a function/);
      expect(() => native!.arm({}, 1)).toThrow(/not a timer handle/);
      const h = native!.create(() => undefined);
      native!.close(h);
      expect(() => native!.arm(h, 1)).toThrow(/timer closed/);
    });

    it('keeps the process alive only while armed', () => {
      const armed = child(`const h = t.create(() => { console.log('fired'); }); t.arm(h, 300);`);
      expect(armed.status).toBe(0);
      expect(armed.out).toContain('fired');
      expect(armed.ms).toBeGreaterThanOrEqual(300);
      const idle = child(
        `const h = t.create(() => console.log('fired')); t.arm(h, 5000); t.arm(h, Infinity);`,
      );
      expect(idle.status).toBe(0);
      expect(idle.out).not.toContain('fired');
      expect(idle.ms).toBeLessThan(5000);
    });

    it("hands an exception thrown by the callback to the process, as any loop callback's", () => {
      const r = child(
        `process.on('uncaughtException', (e) => { console.log('caught ' + e.message); process.exit(3); });
const h = t.create(() => { throw new Error('boom'); }); t.arm(h, 1);`,
      );
      expect(r.out).toContain('caught boom');
      expect(r.status).toBe(3);
    });

    it('runs in worker threads, and a worker ending with its timer armed ends cleanly', async () => {
      const src = `
const { parentPort } = require('node:worker_threads');
const t = require(${JSON.stringify(NATIVE_TIMER_FILE)});
let n = 0;
const h = t.create(() => { if (++n < 5) t.arm(h, 1); else { parentPort.postMessage(n); t.arm(h, 60000); } });
t.arm(h, 1);`;
      const w = new Worker(src, { eval: true });
      const n = await new Promise((resolve) => w.once('message', resolve));
      expect(n).toBe(5);
      // Armed for a minute: terminating must not wait for it, or crash.
      expect(await w.terminate()).toBe(1);
    });
  });
});
