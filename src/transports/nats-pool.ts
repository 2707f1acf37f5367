import type { DataRow } from './template.js';
import type { Done, Transport } from './transport.js';

/**
 * `--nats-connections N`: one thread's requests spread over N connections in turn, each with
 * its own inbox, subscription and flush (like `nats bench --clients`). One connection is
 * usually enough (the thread's CPU runs out first), but a server or a path that limits each
 * connection (a slow consumer, a per-connection rate limit) shows up only with several.
 */
export class TransportPool implements Transport {
  private next = 0;

  constructor(private readonly members: Transport[]) {}

  async open(): Promise<void> {
    try {
      await Promise.all(this.members.map((m) => m.open()));
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  send(seq: number, done: Done, kind?: number, row?: DataRow): (() => void) | undefined {
    const m = this.members[this.next]!;
    this.next = (this.next + 1) % this.members.length;
    return m.send(seq, done, kind, row);
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
