import type { Recorder } from '../record/recorder.js';
import type { Clock } from '../timing/clock.js';
import type { NatsConsumeSource } from '../transports/nats-consume.js';

/**
 * `--mode consume`: reads what the stream delivers from the start instant to the end, each
 * message counted once when it arrives, its latency from its publish time. Nothing is sent,
 * so there is no schedule to keep and no coordinated omission to correct.
 */
export class ConsumeDriver {
  private finished: (() => void) | undefined;
  private failed: ((e: Error) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly o: {
      source: NatsConsumeSource;
      recorder: Recorder;
      clock: Clock;
      startMs: number;
      endMs: number;
    },
  ) {}

  readonly inFlight = 0;

  run(): Promise<void> {
    const { clock, recorder, startMs, endMs } = this.o;
    const done = new Promise<void>((resolve, reject) => {
      this.finished = resolve;
      this.failed = reject;
    });
    this.timer = setTimeout(
      () => {
        if (this.stopped) return;
        this.o.source
          .start((publishedMs) => recorder.consumed(publishedMs, clock.now()))
          .then(
            () => {
              this.timer = setTimeout(() => this.stop(), Math.max(0, endMs - clock.now()));
            },
            // The consumer went away between open and start: the run fails with the cause
            // instead of reporting a stream that delivered nothing.
            (e: unknown) => {
              this.stopped = true;
              void this.o.source.stop().finally(() => this.failed?.(e as Error));
            },
          );
      },
      Math.max(0, startMs - clock.now()),
    );
    return done;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    void this.o.source.stop().finally(() => this.finished?.());
  }
}
