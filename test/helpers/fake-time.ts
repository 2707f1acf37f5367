import type { Clock } from '../../src/timing/clock.js';
import type { Waker } from '../../src/timing/waker.js';
import type { Done, Transport } from '../../src/transports/transport.js';
import { OK } from '../../src/record/recorder.js';

/** Time under vitest's fake timers: Date.now() moves with vi.advanceTimersByTime. */
export const fakeClock: Clock = { now: () => Date.now() };

/**
 * A waker on fake timers: it keeps the deadlines it was given and calls back at them, and
 * counts what was asked of it (a real wake thread would wake the process that often).
 */
export class FakeWaker implements Waker {
  arms = 0;
  wakes = 0;
  /** Fires this many (whole) ms after each deadline: a wake thread on a busy core. */
  constructor(private readonly lateMs = 0) {}
  private handler: () => void = () => undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  armed: [number, number] = [Infinity, Infinity];

  setHandler(fn: () => void): void {
    this.handler = fn;
  }

  arm(first: number, then: number): void {
    this.arms++;
    this.armed = [first, then];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (first === Infinity) return;
    // Fake timers count whole milliseconds: never fire before the deadline.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.wakes++;
        this.handler();
      },
      Math.max(0, Math.ceil(first - Date.now())) + this.lateMs,
    );
  }
}

/**
 * A transport on fake timers: answers OK after `answerMs` (never when `hang`), with at most
 * `connections` requests on the wire when set, like the HTTP/1.1 engine's pool.
 */
export class FakeTransport implements Transport {
  sent: number[] = [];
  active = 0;
  maxActive = 0;
  available?: () => number;

  constructor(
    private readonly o: {
      answerMs: number;
      hang?: boolean;
      connections?: number;
      /** Answer time of one request, when not answerMs for all. */
      answerMsOf?: (seq: number) => number;
    },
  ) {
    if (o.connections !== undefined) this.available = () => o.connections! - this.active;
  }

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  send(seq: number, done: Done): () => void {
    this.sent.push(seq);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.active--;
    };
    const timer = this.o.hang
      ? undefined
      : setTimeout(
          () => {
            end();
            done(OK);
          },
          this.o.answerMsOf?.(seq) ?? this.o.answerMs,
        );
    return () => {
      if (timer) clearTimeout(timer);
      end();
    };
  }
}
