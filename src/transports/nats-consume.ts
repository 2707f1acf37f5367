import { jetstream, AckPolicy, type Consumer, type ConsumerMessages } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ToolError, oneLine } from '../errors.js';
import { connectNats } from './nats-connect.js';
import type { NatsConnConfig } from './nats-config.js';

/** A header a publisher may set to its own send time (epoch ms), for end-to-end latency. */
export const SENT_AT_HEADER = 'Bench-Sent-Ms';

export interface ConsumeTarget {
  stream: string;
  consumer: string;
}

/**
 * One share's reader of a JetStream pull consumer (`--mode consume`). Shares pull from the
 * same consumer, so the server hands each message to one of them: counted once. A message's
 * publish time is its `Bench-Sent-Ms` header when the publisher set one, else the time the
 * stream stored it (the server's clock: the same host's, or NTP-close).
 */
export class NatsConsumeSource {
  private nc: NatsConnection | undefined;
  private consumer: Consumer | undefined;
  private messages: ConsumerMessages | undefined;
  private ack = false;

  constructor(
    private readonly cfg: NatsConnConfig,
    private readonly target: ConsumeTarget,
  ) {}

  async open(): Promise<void> {
    this.nc = await connectNats(this.cfg);
    try {
      this.consumer = await jetstream(this.nc).consumers.get(
        this.target.stream,
        this.target.consumer,
      );
      const info = await this.consumer.info(true);
      this.ack = info.config.ack_policy !== AckPolicy.None;
    } catch (e) {
      await this.close();
      throw new ToolError(
        'E_TARGET_UNREACHABLE',
        `consumer ${this.target.consumer} on stream ${this.target.stream}: ${oneLine(e)}`,
      );
    }
  }

  /** Delivers every message to `onMessage(publishedMs)` until stop(). */
  async start(onMessage: (publishedMs: number) => void): Promise<void> {
    const ack = this.ack;
    this.messages = await this.consumer!.consume({
      max_messages: 1000,
      callback: (m) => {
        const sent = m.headers?.get(SENT_AT_HEADER);
        onMessage(sent ? Number(sent) : Number(m.info.timestampNanos) / 1e6);
        if (ack) m.ack();
      },
    });
  }

  async stop(): Promise<void> {
    const m = this.messages;
    this.messages = undefined;
    if (m) await m.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stop();
    const nc = this.nc;
    this.nc = undefined;
    if (nc) await nc.close().catch(() => undefined);
  }
}
